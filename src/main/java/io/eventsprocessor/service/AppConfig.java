package io.eventsprocessor.service;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.config.MemoryBudget;
import io.eventsprocessor.config.Hosts;
import io.eventsprocessor.cluster.ClusterSettings;
import io.eventsprocessor.admin.AdminVerticle;
import io.eventsprocessor.ingest.Authenticator;
import io.eventsprocessor.ingest.ClientAddresses;
import io.eventsprocessor.ingest.RateLimits;
import io.eventsprocessor.ingest.IngestVerticle;
import io.eventsprocessor.ingest.RateLimiter;
import io.eventsprocessor.logging.LogFormat;
import io.eventsprocessor.metrics.MetricsVerticle;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.notify.OutboxVerticle;
import io.eventsprocessor.state.Journal;
import io.eventsprocessor.state.StateSettings;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The service's own configuration, typed and checked: everything but the rule families' sections under
 * {@code rules}, which each family reads itself. Every key has a default here (conf/config.json spells them all
 * out); every wrong or unknown key is reported at once, by its full name.
 */
public record AppConfig(
    IngestVerticle.Settings http,
    OutboxVerticle.Settings notifier,
    int outboxCapacity,
    Sink notifySink,
    StateSettings state,
    AdminVerticle.Settings admin,
    MetricsVerticle.Settings metrics,
    Ingest ingest,
    Authenticator.Settings auth,
    RateLimits rateLimit,
    ClusterSettings cluster,
    LogFormat logFormat) {

  /** The local stand-in for the notification service. */
  public record Sink(boolean enabled, String host, int port) {}

  /**
   * @param futureMargin        how far past its receipt an event may be stamped before it is clamped to the receipt
   * @param duplicateWindow     how long an accepted event is remembered, to answer a resend "duplicate"
   * @param duplicatesPerUser   how many of a user's latest events are remembered at most
   * @param cloudEventsTypePrefix taken off CloudEvents' types that start with it, e.g. {@code com.example.fitness.};
   *                            empty for none
   */
  public record Ingest(Duration futureMargin, Duration duplicateWindow, int duplicatesPerUser,
      String cloudEventsTypePrefix) {}

  /** Where notifications go unless told otherwise: the local sink at its default address. */
  public static final String DEFAULT_NOTIFY_URL = "http://127.0.0.1:8081/v1/notify";

  /** RFC 7518: an HS256 key is at least as long as the hash, 256 bits. */
  static final int MIN_HS256_SECRET = 32;
  static final int MIN_WRITE_KEY = 16;
  /** A reverse-DNS prefix of a CloudEvents type: as long as an id. */
  static final int MAX_TYPE_PREFIX = 128;

  /** Reads the service's sections of the root; the problems go to the root, reported by its {@code finish}. */
  public static AppConfig read(ConfigReader root) {
    return read(root, MemoryBudget.ofThisJvm());
  }

  /** @param budget what counts set to {@code "auto"} (the defaults) come to */
  public static AppConfig read(ConfigReader root, MemoryBudget budget) {

    ConfigReader http = root.object("http");
    int bodyLimit = http.integer("bodyLimit", 64 * 1024, 256, 16 * 1024 * 1024);
    int batchBodyLimit = http.integer("batchBodyLimit", 512 * 1024, 256, 64 * 1024 * 1024);
    int largestBody = Math.max(bodyLimit, batchBodyLimit);
    IngestVerticle.Settings ingest = new IngestVerticle.Settings(
        http.string("host", "0.0.0.0"),
        http.integer("port", 8080, 0, 65535),
        bodyLimit,
        batchBodyLimit,
        http.integer("batchMaxEvents", 500, 1, 10_000),
        trustedProxies(http),
        forwardedHeader(http),
        http.duration("idleTimeout", Duration.ofSeconds(75), Duration.ofMillis(10)),
        http.duration("headersTimeout", Duration.ofSeconds(10), Duration.ofMillis(10)),
        http.duration("bodyTimeout", Duration.ofSeconds(30), Duration.ofMillis(10)),
        http.countOrAuto("maxConnections", budget.connections(), 1, 1_000_000),
        http.countOrAuto("bodyBytesInFlight", budget.bodyBytes(largestBody), 256, Integer.MAX_VALUE),
        http.duration("drainTimeout", Duration.ofSeconds(15), Duration.ZERO));
    if (ingest.bodyBytesInFlight() < largestBody) {
      http.problem("bodyBytesInFlight", "must be at least http.bodyLimit and http.batchBodyLimit (" + largestBody
          + "), or the largest body could never be read", ingest.bodyBytesInFlight());
    }
    http.done();

    ConfigReader ingestJson = root.object("ingest");
    ConfigReader cloudEvents = ingestJson.object("cloudEvents");
    Ingest ingestSettings = new Ingest(
        ingestJson.duration("futureMargin", Duration.ofMinutes(5), Duration.ZERO),
        ingestJson.duration("duplicateWindow", Duration.ofHours(24), Duration.ofSeconds(1)),
        ingestJson.integer("duplicatesPerUser", 32, 1, 256),
        cloudEvents.optionalString("typePrefix"));
    if (ingestSettings.duplicateWindow().compareTo(io.eventsprocessor.rules.RecentEvents.LONGEST_WINDOW) > 0) {
      ingestJson.problem("duplicateWindow", "must be at most "
          + io.eventsprocessor.rules.RecentEvents.LONGEST_WINDOW.toDays() + " days (P30D)", ingestSettings.duplicateWindow());
      ingestSettings = new Ingest(ingestSettings.futureMargin(), Duration.ofHours(24), ingestSettings.duplicatesPerUser(),
          ingestSettings.cloudEventsTypePrefix());
    }
    if (ingestSettings.cloudEventsTypePrefix().length() > MAX_TYPE_PREFIX) {
      cloudEvents.problem("typePrefix", "must be at most " + MAX_TYPE_PREFIX + " characters",
          ingestSettings.cloudEventsTypePrefix());
    }
    cloudEvents.done();
    ingestJson.done();

    Authenticator.Settings auth = auth(root.object("auth"));

    ConfigReader limits = root.object("rateLimit");
    ConfigReader perUser = limits.object("perUser");
    ConfigReader perAddress = limits.object("perAddress");
    RateLimits rateLimit = new RateLimits(
        limits.bool("enabled", true),
        limits.integer("maxKeys", 100_000, 1, 100_000_000),
        new RateLimiter.Settings(perUser.integer("eventsPerSecond", 10, 1, 1_000_000),
            perUser.integer("burst", 500, 1, 1_000_000)),
        new RateLimiter.Settings(perAddress.integer("requestsPerSecond", 100, 1, 1_000_000),
            perAddress.integer("burst", 1000, 1, 1_000_000)));
    perUser.done();
    perAddress.done();
    limits.done();

    ConfigReader sinkJson = root.object("notifySink");
    Sink sink = new Sink(
        sinkJson.bool("enabled", true),
        sinkJson.string("host", "127.0.0.1"),
        sinkJson.integer("port", 8081, 0, 65535));
    sinkJson.done();

    ConfigReader notify = root.object("notify");
    String url = notify.url("url", DEFAULT_NOTIFY_URL);
    if (url.equals(DEFAULT_NOTIFY_URL) && sink.enabled() && sink.port() != 0) {
      // Left at its default, notify.url is the local sink's: moving the sink (NOTIFY_SINK_PORT) moves it too, rather
      // than leave every delivery failing on a port where nothing listens.
      url = sinkUrl(sink);
    }
    Duration timeout = notify.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(1));
    int concurrency = notify.integer("concurrency", 64, 1, 1024);
    Outbox.Policy policy = new Outbox.Policy(
        notify.integer("maxAttempts", 10, 1, 1000),
        notify.duration("maxAge", Duration.ofHours(1), Duration.ofSeconds(1)),
        notify.duration("initialBackoff", Duration.ofMillis(500), Duration.ofMillis(1)),
        notify.duration("maxBackoff", Duration.ofSeconds(30), Duration.ofMillis(1)),
        notify.integer("deadLetterCapacity", 10_000, 1, 10_000_000),
        notify.integer("rememberDelivered", 100_000, 0, 10_000_000));
    int outboxCapacity = notify.countOrAuto("outboxCapacity", budget.outbox(), 1, 10_000_000);
    ConfigReader breaker = notify.object("breaker");
    OutboxVerticle.Settings notifier = new OutboxVerticle.Settings(url, timeout, concurrency, policy,
        breaker.integer("maxFailures", 5, 1, 1000),
        breaker.duration("resetTimeout", Duration.ofSeconds(5), Duration.ofMillis(10)));
    breaker.done();
    notify.done();

    ConfigReader stateJson = root.object("state");
    StateSettings state = new StateSettings(
        Path.of(stateJson.string("dir", "data")),
        stateJson.choice("sync", Journal.Sync.fsync),
        stateJson.duration("snapshotInterval", Duration.ofMinutes(1), Duration.ofMillis(10)),
        stateJson.integer("journalMaxMegabytes", 64, 1, 1024 * 1024) * 1024L * 1024L,
        stateJson.countOrAuto("maxUsers", budget.users(), 1, 100_000_000));
    stateJson.done();

    ConfigReader adminJson = root.object("admin");
    AdminVerticle.Settings admin = new AdminVerticle.Settings(
        adminJson.bool("enabled", true),
        adminJson.string("host", "127.0.0.1"),
        adminJson.integer("port", 8082, 0, 65535),
        adminJson.optionalString("token"));
    if (admin.enabled() && admin.token().isEmpty() && !Hosts.isLoopback(admin.host())) {
      // The admin API re-sends dead letters and shows users' notifications: open only where nobody else can reach.
      adminJson.problem("host", "is not a loopback address, so admin.token must be set (or admin.enabled false, or "
          + "admin.host 127.0.0.1): anyone who reaches it could use the admin API", admin.host());
    }
    adminJson.done();

    ConfigReader metricsJson = root.object("metrics");
    MetricsVerticle.Settings metrics = new MetricsVerticle.Settings(
        metricsJson.choice("server", MetricsVerticle.Server.admin),
        metricsJson.string("host", "0.0.0.0"),
        metricsJson.integer("port", 8083, 0, 65535));
    metricsJson.done();

    ClusterSettings cluster = ClusterSettings.read(root.object("cluster"));

    ConfigReader log = root.object("log");
    LogFormat logFormat = log.choice("format", LogFormat.text);
    log.done();

    AppConfig config = new AppConfig(ingest, notifier, outboxCapacity, sink, state, admin, metrics, ingestSettings,
        auth, rateLimit, cluster, logFormat);
    ListeningPorts.checkDistinct(ListeningPorts.of(config), root);
    return config;
  }

  /** The local sink's address, as the outbox reaches it (a sink on every interface is reached on loopback). */
  static String sinkUrl(Sink sink) {
    String host = sink.host().equals("0.0.0.0") ? "127.0.0.1" : sink.host().equals("::") ? "[::1]"
        : sink.host().contains(":") && !sink.host().startsWith("[") ? "[" + sink.host() + "]" : sink.host();
    return "http://" + host + ":" + sink.port() + "/v1/notify";
  }

  /** {@code X-Forwarded-For} or {@code Forwarded}, spelled as the header is (in any case). */
  private static ClientAddresses.Header forwardedHeader(ConfigReader http) {
    String value = http.string("forwardedHeader", ClientAddresses.Header.X_FORWARDED_FOR.headerName()).trim();
    for (ClientAddresses.Header header : ClientAddresses.Header.values()) {
      if (header.headerName().equalsIgnoreCase(value)) {
        return header;
      }
    }
    http.problem("forwardedHeader", "must be X-Forwarded-For or Forwarded", value);
    return ClientAddresses.Header.X_FORWARDED_FOR;
  }

  private static List<String> trustedProxies(ConfigReader http) {
    List<String> proxies = http.strings("trustedProxies");
    proxies.stream().map(ClientAddresses::problem).filter(java.util.Objects::nonNull)
        .forEach(problem -> http.problem("trustedProxies", "must be addresses or CIDR blocks: " + problem));
    return proxies;
  }

  /** The mode, and the credentials it needs, checked together: a mode without its key would let nobody in. */
  private static Authenticator.Settings auth(ConfigReader auth) {
    Authenticator.Mode mode = auth.choice("mode", Authenticator.Mode.none);
    String writeKey = auth.optionalString("writeKey");
    ConfigReader jwt = auth.object("jwt");
    String secret = jwt.optionalString("hs256Secret");
    String publicKey = jwt.optionalString("rs256PublicKey");
    if (mode == Authenticator.Mode.writeKey && writeKey.length() < MIN_WRITE_KEY) {
      auth.problem("writeKey", "must be set, at least " + MIN_WRITE_KEY + " characters, when auth.mode is writeKey");
    }
    if (mode == Authenticator.Mode.jwt && secret.isEmpty() && publicKey.isEmpty()) {
      auth.problem("jwt", "needs hs256Secret or rs256PublicKey (or both) when auth.mode is jwt");
    }
    if (!secret.isEmpty() && secret.length() < MIN_HS256_SECRET) {
      jwt.problem("hs256Secret", "must be at least " + MIN_HS256_SECRET + " characters");
    }
    if (!publicKey.isEmpty() && !isRsaPublicKey(publicKey)) {
      jwt.problem("rs256PublicKey", "must be an RSA public key in PEM (-----BEGIN PUBLIC KEY-----)", publicKey);
    }
    jwt.done();
    auth.done();
    return new Authenticator.Settings(mode, writeKey, secret, publicKey);
  }

  static boolean isRsaPublicKey(String pem) {
    String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    try {
      KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
      return pem.contains("-----BEGIN PUBLIC KEY-----");
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
