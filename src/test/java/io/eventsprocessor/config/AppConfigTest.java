package io.eventsprocessor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventsprocessor.ingest.Authenticator;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppConfigTest {

  @Test
  void theShippedConfigSpellsOutExactlyTheDefaults() throws Exception {
    JsonObject shipped = new JsonObject(Files.readString(Path.of("conf/config.json")));
    assertThat(AppConfig.from(shipped)).isEqualTo(AppConfig.from(new JsonObject()));
  }

  @Test
  void theProductionExampleTurnsTheSinkOffAndAuthenticationOnWithAKeyFromTheEnvironment() throws Exception {
    JsonObject production = new JsonObject(Files.readString(Path.of("conf/production.json")));
    assertThatThrownBy(() -> AppConfig.from(production))
        .hasMessageContaining("auth.jwt: needs hs256Secret or rs256PublicKey (or both) when auth.mode is jwt");

    AppConfig config = AppConfig.from(production.copy()
        .mergeIn(ConfigLoader.fromEnvironment(Map.of("AUTH_JWT_SECRET", SECRET)), true));
    assertThat(config.notifySink().enabled()).isFalse();
    assertThat(config.auth().mode()).isEqualTo(Authenticator.Mode.jwt);
    assertThat(config.auth().hs256Secret()).isEqualTo(SECRET);
  }

  static final String SECRET = "a-test-secret-of-at-least-32-characters";

  @Test
  void authenticationIsOffByDefaultAndEachModeNeedsItsKey() {
    assertThat(AppConfig.from(new JsonObject()).auth().mode()).isEqualTo(Authenticator.Mode.none);
    assertThatThrownBy(() -> AppConfig.from(auth(new JsonObject().put("mode", "writeKey").put("writeKey", "short"))))
        .hasMessageContaining("auth.writeKey: must be set, at least 16 characters, when auth.mode is writeKey")
        .hasMessageNotContaining("short");
    assertThatThrownBy(() -> AppConfig.from(auth(new JsonObject().put("mode", "jwt")
        .put("jwt", new JsonObject().put("hs256Secret", "too-short-a-secret")))))
        .hasMessageContaining("auth.jwt.hs256Secret: must be at least 32 characters")
        .hasMessageNotContaining("too-short-a-secret");
    assertThatThrownBy(() -> AppConfig.from(auth(new JsonObject().put("mode", "jwt")
        .put("jwt", new JsonObject().put("rs256PublicKey", "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----")))))
        .hasMessageContaining("auth.jwt.rs256PublicKey: must be an RSA public key in PEM");
    assertThatThrownBy(() -> AppConfig.from(auth(new JsonObject().put("mode", "password"))))
        .hasMessageContaining("auth.mode: must be one of [none, writeKey, jwt], got \"password\"");
    assertThat(AppConfig.from(auth(new JsonObject().put("mode", "writeKey").put("writeKey", "0123456789abcdef")))
        .auth().toString()).doesNotContain("0123456789abcdef");
  }

  @Test
  void anRsaPublicKeyInPemIsAccepted() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(generator.generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    AppConfig config = AppConfig.from(auth(new JsonObject().put("mode", "jwt").put("jwt", new JsonObject().put("rs256PublicKey", pem))));
    assertThat(config.auth().rs256PublicKey()).isEqualTo(pem.trim());
  }

  static JsonObject auth(JsonObject auth) {
    return new JsonObject().put("auth", auth);
  }

  @Test
  void readsTheValuesGiven() {
    AppConfig config = AppConfig.from(new JsonObject()
        .put("http", new JsonObject().put("port", 9191))
        .put("rules", new JsonObject().put("launchReminder", new JsonObject().put("delay", "PT1S"))));
    assertThat(config.http().port()).isEqualTo(9191);
    assertThat(config.launchReminder().delay()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aWrongValueStopsTheServiceNamingEveryKey() {
    JsonObject json = new JsonObject()
        .put("http", new JsonObject().put("port", 70000))
        .put("notify", new JsonObject().put("url", "not a url").put("timeout", "5 seconds"))
        .put("rules", new JsonObject()
            .put("trainingCongratulation", new JsonObject().put("message", "Well done {name}")));
    assertThatThrownBy(() -> AppConfig.from(json))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port: must be a whole number from 0 to 65535, got 70000")
        .hasMessageContaining("notify.url: must be an absolute http(s) URL")
        .hasMessageContaining("notify.timeout: must be an ISO-8601 duration")
        .hasMessageContaining("rules.trainingCongratulation.message: unknown placeholder {name}");
  }

  @Test
  void anUnknownKeyIsAnErrorNotSilence() {
    assertThatThrownBy(() -> AppConfig.from(new JsonObject().put("htpp", new JsonObject())))
        .hasMessageContaining("htpp: unknown key");
    assertThatThrownBy(() -> AppConfig.from(new JsonObject().put("rules", new JsonObject().put("launchReminder",
        new JsonObject().put("dealy", "PT1M"))))).hasMessageContaining("rules.launchReminder.dealy: unknown key");
  }

  @Test
  void authenticationSecretsComeFromTheEnvironment() {
    AppConfig config = AppConfig.from(ConfigLoader.fromEnvironment(Map.of("AUTH_MODE", "writeKey",
        "AUTH_WRITE_KEY", "0123456789abcdef", "AUTH_JWT_SECRET", SECRET)));
    assertThat(config.auth().mode()).isEqualTo(Authenticator.Mode.writeKey);
    assertThat(config.auth().writeKey()).isEqualTo("0123456789abcdef");
    assertThat(config.auth().hs256Secret()).isEqualTo(SECRET);
  }

  @Test
  void readsTheIngestionLimits() {
    AppConfig config = AppConfig.from(new JsonObject()
        .put("http", new JsonObject().put("batchMaxEvents", 20).put("batchBodyLimit", 4096))
        .put("ingest", new JsonObject().put("futureMargin", "PT1M").put("duplicateWindow", "PT1H"))
        .put("rateLimit", new JsonObject().put("perUser", new JsonObject().put("eventsPerSecond", 2).put("burst", 3))));
    assertThat(config.http().batchMaxEvents()).isEqualTo(20);
    assertThat(config.http().batchBodyLimit()).isEqualTo(4096);
    assertThat(config.ingest().futureMargin()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.ingest().duplicates().window()).isEqualTo(Duration.ofHours(1));
    assertThat(config.rateLimit().perUser()).isEqualTo(new io.eventsprocessor.ingest.RateLimiter.Settings(2, 3));
    assertThatThrownBy(() -> AppConfig.from(new JsonObject().put("rateLimit", new JsonObject()
        .put("perAddress", new JsonObject().put("requestsPerSecond", 0)))))
        .hasMessageContaining("rateLimit.perAddress.requestsPerSecond: must be a whole number from 1 to 1000000, got 0");
  }

  @Test
  void environmentVariablesMapToNestedKeys() {
    JsonObject json = ConfigLoader.fromEnvironment(Map.of("HTTP_PORT", "9191", "NOTIFY_URL", "http://notify:80/v1/notify",
        "NOTIFY_SINK_ENABLED", "false", "PATH", "/usr/bin"));
    AppConfig config = AppConfig.from(json);
    assertThat(config.http().port()).isEqualTo(9191);
    assertThat(config.notifier().url()).isEqualTo("http://notify:80/v1/notify");
    assertThat(config.notifySink().enabled()).isFalse();
  }

  @Test
  void aBadEnvironmentValueIsNamedByItsKey() {
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.fromEnvironment(Map.of("HTTP_PORT", "eighty"))))
        .hasMessageContaining("http.port: must be a whole number from 0 to 65535, got \"eighty\"");
  }
}
