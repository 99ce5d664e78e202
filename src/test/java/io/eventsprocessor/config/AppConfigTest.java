package io.eventsprocessor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void theProductionExampleIsValidAndTurnsTheSinkOff() throws Exception {
    JsonObject production = new JsonObject(Files.readString(Path.of("conf/production.json")));
    assertThat(AppConfig.from(production).notifySink().enabled()).isFalse();
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
