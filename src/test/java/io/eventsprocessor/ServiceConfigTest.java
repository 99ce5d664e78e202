package io.eventsprocessor;

import io.eventsprocessor.service.ServiceConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventsprocessor.service.AppConfig;
import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.ingest.Authenticator;
import io.eventsprocessor.shapes.AbsenceRules;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import io.eventsprocessor.ingest.ClientAddresses;
import org.junit.jupiter.api.Test;

/** The whole config: the service's own keys and the registered families' sections, checked together. */
class ServiceConfigTest {

  /** The service's own settings, from a config checked whole. */
  static AppConfig app(JsonObject json) {
    return ServiceConfig.from(json, ServiceConfig.FAMILIES).app();
  }


  @Test
  void theShippedConfigSpellsOutExactlyTheDefaults() throws Exception {
    JsonObject shipped = new JsonObject(Files.readString(Path.of("conf/config.json")));
    assertThat(ServiceConfig.from(shipped, ServiceConfig.FAMILIES))
        .isEqualTo(ServiceConfig.from(new JsonObject(), ServiceConfig.FAMILIES));
  }

  @Test
  void theProductionExampleTurnsTheSinkOffAndAuthenticationOnWithAKeyFromTheEnvironment() throws Exception {
    JsonObject production = new JsonObject(Files.readString(Path.of("conf/production.json")));
    assertThatThrownBy(() -> app(production))
        .hasMessageContaining("auth.jwt: needs hs256Secret or rs256PublicKey (or both) when auth.mode is jwt");

    AppConfig config = app(production.copy()
        .mergeIn(ConfigLoader.fromEnvironment(Map.of("AUTH_JWT_SECRET", SECRET)), true));
    assertThat(config.notifySink().enabled()).isFalse();
    assertThat(config.auth().mode()).isEqualTo(Authenticator.Mode.jwt);
    assertThat(config.auth().hs256Secret()).isEqualTo(SECRET);
  }

  static final String SECRET = "a-test-secret-of-at-least-32-characters";

  @Test
  void notifyUrlLeftAtItsDefaultFollowsTheLocalSinkWhereverItIsMoved() throws Exception {
    // NOTIFY_SINK_PORT alone: the sink moves, and notifications follow it instead of failing on 8081.
    JsonObject shipped = new JsonObject(Files.readString(Path.of("conf/config.json")));
    AppConfig moved = app(shipped.copy().mergeIn(ConfigLoader.fromEnvironment(Map.of("NOTIFY_SINK_PORT", "9081")), true));
    assertThat(moved.notifier().url()).isEqualTo("http://127.0.0.1:9081/v1/notify");
    AppConfig everywhere = app(new JsonObject().put("notifySink", new JsonObject().put("host", "0.0.0.0").put("port", 9081)));
    assertThat(everywhere.notifier().url()).isEqualTo("http://127.0.0.1:9081/v1/notify");

    // A notify.url of one's own is kept, and without the sink the default is kept as it is.
    AppConfig own = app(new JsonObject().put("notify", new JsonObject().put("url", "http://notify:80/v1/notify"))
        .put("notifySink", new JsonObject().put("port", 9081)));
    assertThat(own.notifier().url()).isEqualTo("http://notify:80/v1/notify");
    AppConfig noSink = app(new JsonObject().put("notifySink", new JsonObject().put("enabled", false).put("port", 9081)));
    assertThat(noSink.notifier().url()).isEqualTo(AppConfig.DEFAULT_NOTIFY_URL);
  }

  @Test
  void authenticationIsOffByDefaultAndEachModeNeedsItsKey() {
    assertThat(app(new JsonObject()).auth().mode()).isEqualTo(Authenticator.Mode.none);
    assertThatThrownBy(() -> app(auth(new JsonObject().put("mode", "writeKey").put("writeKey", "short"))))
        .hasMessageContaining("auth.writeKey: must be set, at least 16 characters, when auth.mode is writeKey")
        .hasMessageNotContaining("short");
    assertThatThrownBy(() -> app(auth(new JsonObject().put("mode", "jwt")
        .put("jwt", new JsonObject().put("hs256Secret", "too-short-a-secret")))))
        .hasMessageContaining("auth.jwt.hs256Secret: must be at least 32 characters")
        .hasMessageNotContaining("too-short-a-secret");
    assertThatThrownBy(() -> app(auth(new JsonObject().put("mode", "jwt")
        .put("jwt", new JsonObject().put("rs256PublicKey", "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----")))))
        .hasMessageContaining("auth.jwt.rs256PublicKey: must be an RSA public key in PEM");
    assertThatThrownBy(() -> app(auth(new JsonObject().put("mode", "password"))))
        .hasMessageContaining("auth.mode: must be one of none, writeKey, jwt, got \"password\"");
    assertThat(app(auth(new JsonObject().put("mode", "writeKey").put("writeKey", "0123456789abcdef")))
        .auth().toString()).doesNotContain("0123456789abcdef");
  }

  @Test
  void anRsaPublicKeyInPemIsAccepted() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(generator.generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    AppConfig config = app(auth(new JsonObject().put("mode", "jwt").put("jwt", new JsonObject().put("rs256PublicKey", pem))));
    assertThat(config.auth().rs256PublicKey()).isEqualTo(pem.trim());
  }

  static JsonObject auth(JsonObject auth) {
    return new JsonObject().put("auth", auth);
  }

  @Test
  void readsTheValuesGivenToTheServiceAndToEachFamily() {
    ServiceConfig config = ServiceConfig.from(new JsonObject()
        .put("http", new JsonObject().put("port", 9191))
        .put("rules", new JsonObject().put("reminder", new JsonObject().put("within", "PT1S"))), ServiceConfig.FAMILIES);
    assertThat(config.app().http().port()).isEqualTo(9191);
    assertThat(config.families()).anySatisfy(f -> assertThat(f.rules()).isInstanceOfSatisfying(AbsenceRules.class,
        rules -> assertThat(rules.settings().within()).isEqualTo(Duration.ofSeconds(1))));
  }

  @Test
  void aSectionUnderItsFormerNameIsNamedWithItsNewOne() {
    assertThatThrownBy(() -> app(new JsonObject().put("rules", new JsonObject()
        .put("launchReminder", new JsonObject().put("delay", "PT1M"))
        .put("trainingCongratulation", new JsonObject())
        .put("sessionExpiry", "PT1H"))))
        .hasMessageContaining("rules.launchReminder: renamed to rules.reminder")
        .hasMessageContaining("rules.trainingCongratulation: renamed to rules.congratulation")
        .hasMessageContaining("rules.sessionExpiry: renamed to rules.<family>.sessionExpiry");
  }

  @Test
  void aWrongValueStopsTheServiceNamingEveryKey() {
    JsonObject json = new JsonObject()
        .put("http", new JsonObject().put("port", 70000))
        .put("notify", new JsonObject().put("url", "not a url").put("timeout", "5 seconds"))
        .put("rules", new JsonObject()
            .put("congratulation", new JsonObject().put("message", "Well done {name}")));
    assertThatThrownBy(() -> app(json))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port: must be a whole number from 0 to 65535, got 70000")
        .hasMessageContaining("notify.url: must be an absolute http(s) URL")
        .hasMessageContaining("notify.timeout: must be an ISO-8601 duration")
        .hasMessageContaining("rules.congratulation.message: unknown placeholder {name}");
  }

  @Test
  void anUnknownKeyIsAnErrorNotSilence() {
    assertThatThrownBy(() -> app(new JsonObject().put("htpp", new JsonObject())))
        .hasMessageContaining("htpp: unknown key");
    assertThatThrownBy(() -> app(new JsonObject().put("rules", new JsonObject().put("reminder",
        new JsonObject().put("withn", "PT1M"))))).hasMessageContaining("rules.reminder.withn: unknown key");
    assertThatThrownBy(() -> app(new JsonObject().put("rules", new JsonObject().put("nudge", new JsonObject()))))
        .hasMessageContaining("rules.nudge: unknown key");
  }

  @Test
  void authenticationSecretsComeFromTheEnvironment() {
    AppConfig config = app(ConfigLoader.fromEnvironment(Map.of("AUTH_MODE", "writeKey",
        "AUTH_WRITE_KEY", "0123456789abcdef", "AUTH_JWT_SECRET", SECRET)));
    assertThat(config.auth().mode()).isEqualTo(Authenticator.Mode.writeKey);
    assertThat(config.auth().writeKey()).isEqualTo("0123456789abcdef");
    assertThat(config.auth().hs256Secret()).isEqualTo(SECRET);
  }

  @Test
  void readsTheIngestionLimits() {
    AppConfig config = app(new JsonObject()
        .put("http", new JsonObject().put("batchMaxEvents", 20).put("batchBodyLimit", 4096))
        .put("ingest", new JsonObject().put("futureMargin", "PT1M").put("duplicateWindow", "PT1H"))
        .put("rateLimit", new JsonObject().put("perUser", new JsonObject().put("eventsPerSecond", 2).put("burst", 3))));
    assertThat(config.http().batchMaxEvents()).isEqualTo(20);
    assertThat(config.http().batchBodyLimit()).isEqualTo(4096);
    assertThat(config.ingest().futureMargin()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.ingest().duplicateWindow()).isEqualTo(Duration.ofHours(1));
    assertThat(config.rateLimit().perUser()).isEqualTo(new io.eventsprocessor.ingest.RateLimiter.Settings(2, 3));
    assertThatThrownBy(() -> app(new JsonObject().put("rateLimit", new JsonObject()
        .put("perAddress", new JsonObject().put("requestsPerSecond", 0)))))
        .hasMessageContaining("rateLimit.perAddress.requestsPerSecond: must be a whole number from 1 to 1000000, got 0");
  }

  @Test
  void environmentVariablesMapToNestedKeys() {
    JsonObject json = ConfigLoader.fromEnvironment(Map.of("HTTP_PORT", "9191", "NOTIFY_URL", "http://notify:80/v1/notify",
        "NOTIFY_SINK_ENABLED", "false", "PATH", "/usr/bin"));
    AppConfig config = app(json);
    assertThat(config.http().port()).isEqualTo(9191);
    assertThat(config.notifier().url()).isEqualTo("http://notify:80/v1/notify");
    assertThat(config.notifySink().enabled()).isFalse();
  }

  @Test
  void aBadEnvironmentValueIsNamedByItsVariable() {
    Map<String, String> environment = Map.of("HTTP_PORT", "eighty", "AUTH_MODE", "JWT");
    assertThatThrownBy(() -> ServiceConfig.from(ConfigLoader.fromEnvironment(environment), ServiceConfig.FAMILIES,
        ConfigLoader.variables(environment)))
        .hasMessageContaining("HTTP_PORT: must be a whole number from 0 to 65535, got \"eighty\" "
            + "(the environment variable for http.port)")
        .hasMessageContaining("AUTH_MODE: must be one of none, writeKey, jwt, got \"JWT\"");
    // The same value in the file is named by its key.
    assertThatThrownBy(() -> app(new JsonObject().put("http", new JsonObject().put("port", "eighty"))))
        .hasMessageContaining("http.port: must be a whole number from 0 to 65535, got \"eighty\"");
  }

  @Test
  void aCountThatIsAutoByDefaultSaysSoWhenWrong() {
    assertThatThrownBy(() -> app(new JsonObject().put("state", new JsonObject().put("maxUsers", "many"))))
        .hasMessageContaining("state.maxUsers: must be \"auto\" or a whole number from 1 to 100000000, got \"many\"");
  }

  @Test
  void aChoiceSaysWhatItAccepts() {
    assertThatThrownBy(() -> app(auth(new JsonObject().put("mode", "JWT"))))
        .hasMessageContaining("auth.mode: must be one of none, writeKey, jwt, got \"JWT\"");
    assertThatThrownBy(() -> app(auth(new JsonObject().put("mode", 3))))
        .hasMessageContaining("auth.mode: must be one of none, writeKey, jwt, got 3");
    assertThatThrownBy(() -> app(new JsonObject().put("state", new JsonObject().put("sync", "always"))))
        .hasMessageContaining("state.sync: must be one of fsync, write, got \"always\"");
  }

  @Test
  void anAdminApiOffLoopbackNeedsAToken() {
    assertThatThrownBy(() -> app(new JsonObject().put("admin", new JsonObject().put("host", "0.0.0.0"))))
        .hasMessageContaining("admin.host: is not a loopback address, so admin.token must be set");
    Map<String, String> environment = Map.of("ADMIN_HOST", "10.1.2.3");
    assertThatThrownBy(() -> ServiceConfig.from(ConfigLoader.fromEnvironment(environment), ServiceConfig.FAMILIES,
        ConfigLoader.variables(environment)))
        .hasMessageContaining("ADMIN_HOST: is not a loopback address, so admin.token must be set");
    assertThat(app(new JsonObject().put("admin", new JsonObject().put("host", "0.0.0.0")
        .put("token", "an-admin-token"))).admin().host()).isEqualTo("0.0.0.0");
    assertThat(app(new JsonObject().put("admin", new JsonObject().put("host", "0.0.0.0")
        .put("enabled", false))).admin().enabled()).isFalse();
    for (String loopback : java.util.List.of("127.0.0.1", "127.0.0.2", "::1", "localhost")) {
      assertThat(app(new JsonObject().put("admin", new JsonObject().put("host", loopback))).admin().host())
          .isEqualTo(loopback);
    }
  }

  @Test
  void theForwardedHeaderIsOneOfTwoSpelledAsTheHeaderIs() {
    assertThat(app(new JsonObject()).http().forwardedHeader()).isEqualTo(ClientAddresses.Header.X_FORWARDED_FOR);
    assertThat(app(new JsonObject().put("http", new JsonObject().put("forwardedHeader", "forwarded"))).http()
        .forwardedHeader()).isEqualTo(ClientAddresses.Header.FORWARDED);
    assertThatThrownBy(() -> app(new JsonObject().put("http", new JsonObject().put("forwardedHeader", "X-Real-IP"))))
        .hasMessageContaining("http.forwardedHeader: must be X-Forwarded-For or Forwarded, got \"X-Real-IP\"");
  }

  @Test
  void trustedProxiesAreAListOfAddressesOrCidrBlocksAndAWrongOneIsNamed() {
    assertThat(app(new JsonObject().put("http", new JsonObject()
        .put("trustedProxies", new io.vertx.core.json.JsonArray().add("10.0.0.0/8").add("::1")))).http().trustedProxies())
        .containsExactly("10.0.0.0/8", "::1");
    // As an environment variable would give it.
    assertThat(app(new JsonObject().put("http", new JsonObject().put("trustedProxies", "10.0.0.0/8, 192.168.0.1")))
        .http().trustedProxies()).containsExactly("10.0.0.0/8", "192.168.0.1");
    assertThatThrownBy(() -> app(new JsonObject().put("http", new JsonObject()
        .put("trustedProxies", new io.vertx.core.json.JsonArray().add("lb.internal")))))
        .hasMessageContaining("http.trustedProxies: must be addresses or CIDR blocks: \"lb.internal\" is not an address or a CIDR block");
    assertThatThrownBy(() -> app(new JsonObject().put("http", new JsonObject().put("trustedProxies", 7))))
        .hasMessageContaining("http.trustedProxies: must be a list of strings, got 7");
  }
}
