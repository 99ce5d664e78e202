package io.eventsprocessor;

import io.eventsprocessor.service.AppConfig;
import io.eventsprocessor.config.Hosts;
import io.eventsprocessor.ingest.Authenticator;
import io.eventsprocessor.metrics.MetricsVerticle;
import java.net.URI;

/**
 * The few lines an operator reads after a start: single node or cluster, where the APIs listen and how they are
 * protected, where notifications go, where the state is kept, and what the service keeps at most (the memory
 * budgets). Secrets are never in it.
 */
final class StartupSummary {
  /** The composition root's logger: operators look for its lines. */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MainVerticle.class);

  /** The ports the servers listen on, once they do (a config may ask for port 0); -1 for a server not started. */
  record Ports(int http, int admin, int metrics) {}

  private StartupSummary() {}

  static String text(AppConfig config, Ports ports, boolean clustered, int httpEdges, long maxHeap) {
    StringBuilder text = new StringBuilder("started: ");
    if (clustered) {
      text.append("cluster node ").append(config.cluster().host()).append(':').append(config.cluster().port())
          .append(" of cluster \"").append(config.cluster().name()).append('"');
    } else {
      text.append("single node");
    }
    text.append(", ").append(httpEdges).append(httpEdges == 1 ? " HTTP edge" : " HTTP edges");

    text.append("\n  HTTP API  ").append(url(config.http().host(), ports.http()))
        .append(" (auth ").append(config.auth().mode()).append(')');

    text.append("\n  admin API ");
    if (config.admin().enabled()) {
      text.append(url(config.admin().host(), ports.admin())).append("/v1/admin/")
          .append(config.admin().token().isEmpty() ? " (no token)" : " (token required)");
    } else {
      text.append("off");
    }
    text.append("\n  metrics   ");
    if (config.metrics().server() == MetricsVerticle.Server.own) {
      text.append(url(config.metrics().host(), ports.metrics())).append("/metrics")
          .append(config.admin().enabled() ? " (and on the admin API)" : "");
    } else {
      text.append(config.admin().enabled() ? "on the admin API, /metrics" : "not served (the admin API is off)");
    }

    text.append("\n  notify    ").append(withoutSecrets(config.notifier().url())).append("; local sink ")
        .append(config.notifySink().enabled()
            ? "on " + url(config.notifySink().host(), config.notifySink().port()) + "/v1/notify" : "off");

    text.append("\n  state     ").append(config.state().dir().toAbsolutePath());
    text.append(clustered ? " (this node's journal of the users it holds, sync: " + config.state().sync() + ")"
        : " (sync: " + config.state().sync() + ")");

    text.append("\n  limits    heap at most ").append(maxHeap >> 20).append(" MB: ")
        .append(clustered ? "" : config.state().maxUsers() + " users kept, ")
        .append(config.ingest().duplicatesPerUser()).append(" latest events a user remembered for ")
        .append(config.ingest().duplicateWindow()).append(" to tell resends, ")
        .append(config.outboxCapacity()).append(" notifications queued, ").append(config.http().maxConnections())
        .append(" connections, ").append(config.http().bodyBytesInFlight() >> 10)
        .append(" KB of request bodies in flight; bodies of ")
        .append(config.http().bodyLimit()).append(" bytes, batches of ").append(config.http().batchBodyLimit())
        .append(" bytes and ").append(config.http().batchMaxEvents()).append(" events; ");
    if (config.rateLimit().enabled()) {
      text.append(config.rateLimit().perUser().perSecond()).append(" events/s per user (bursts of ")
          .append(config.rateLimit().perUser().burst()).append(')');
      text.append(", ").append(config.rateLimit().perAddress().perSecond()).append(" requests/s per address (bursts of ")
          .append(config.rateLimit().perAddress().burst()).append(')');
    } else {
      text.append("no rate limits");
    }
    return text.toString();
  }

  /** What to warn about: no authentication where others can post; null when nothing. */
  static String warning(AppConfig config) {
    if (config.auth().mode() == Authenticator.Mode.none && !Hosts.isLoopback(config.http().host())) {
      return "auth.mode is none and the HTTP API listens on " + config.http().host() + ": anyone who reaches it can "
          + "post events of any user; set auth.mode to writeKey or jwt (see docs/api.md, Authentication)";
    }
    return null;
  }

  /**
   * The URL without the parts that may hold a secret: user information ({@code https://user:password@host}) and the
   * query (a token, for services that take one there). The config has checked it is an absolute http(s) URL.
   */
  static String withoutSecrets(String url) {
    URI uri = URI.create(url);
    if (uri.getRawUserInfo() == null && uri.getRawQuery() == null) {
      return url;
    }
    return uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : "***@") + uri.getHost()
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?***");
  }

  private static String url(String host, int port) {
    return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** What an operator reads after a start, and a warning when events are unprotected. */
  static void log(AppConfig config, Ports ports, boolean clustered, int edges) {
    LOG.info(text(config, ports, clustered, edges, Runtime.getRuntime().maxMemory())
        + "\n  started   " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
        + " ms after the JVM");
    String warning = warning(config);
    if (warning != null) {
      LOG.warn(warning);
    }
  }

  /** The ingestion counters, for operators: a line a minute while anything changes. */
  static void logCountsEveryMinute(io.vertx.core.Vertx vertx, io.eventsprocessor.ingest.IngestStats stats) {
    String[] last = {stats.toString()};
    vertx.setPeriodic(java.time.Duration.ofMinutes(1).toMillis(), id -> {
      String now = stats.toString();
      if (!now.equals(last[0])) {
        last[0] = now;
        LOG.info("ingestion since start: {}", now);
      }
    });
  }
}
