package io.eventsprocessor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.config.MemoryBudget;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A port the service cannot have is named with the key (or the environment variable) that sets it. */
class ListeningPortsTest {
  static AppConfig app(JsonObject json, Map<String, String> variables) {
    ConfigReader root = ConfigReader.root(json, variables);
    AppConfig config = AppConfig.read(root, MemoryBudget.ofThisJvm());
    root.finish();
    return config;
  }

  @Test
  void thePortsOfTheServersThisConfigStartsWithTheirKeys() {
    AppConfig defaults = app(new JsonObject(), Map.of());
    assertThat(ListeningPorts.of(defaults)).containsExactly(
        new ListeningPorts.Listener("the HTTP API", "http.port", "0.0.0.0", 8080),
        new ListeningPorts.Listener("the local notification sink", "notifySink.port", "127.0.0.1", 8081),
        new ListeningPorts.Listener("the admin API", "admin.port", "127.0.0.1", 8082));
    AppConfig own = app(new JsonObject().put("metrics", new JsonObject().put("server", "own"))
        .put("notifySink", new JsonObject().put("enabled", false)), Map.of());
    assertThat(ListeningPorts.of(own)).extracting(ListeningPorts.Listener::key)
        .containsExactly("http.port", "admin.port", "metrics.port");
  }

  @Test
  void thePortInUseIsNamedByItsKeyOrByTheVariableThatSetIt() {
    List<ListeningPorts.Listener> listeners = ListeningPorts.of(app(new JsonObject(), Map.of()));
    assertThat(ListeningPorts.inUse(listeners, Map.of(), l -> l.port() == 8082)).isEqualTo(
        "admin.port: 8082 is in use by another process (the admin API's port, on 127.0.0.1): stop that process, "
            + "or choose another port");
    assertThat(ListeningPorts.inUse(listeners, Map.of("http.port", "HTTP_PORT"), l -> l.port() == 8080)).isEqualTo(
        "HTTP_PORT: 8080 is in use by another process (the HTTP API's port, on 0.0.0.0; the environment variable for "
            + "http.port): stop that process, or choose another port");
    // An old instance still running holds every port: all are named, in one line.
    assertThat(ListeningPorts.inUse(listeners, Map.of("notifySink.port", "NOTIFY_SINK_PORT"), l -> true)).isEqualTo(
        "http.port: 8080 is in use by another process (the HTTP API's port, on 0.0.0.0); NOTIFY_SINK_PORT: 8081 is in "
            + "use by another process (the local notification sink's port, on 127.0.0.1; the environment variable for "
            + "notifySink.port); admin.port: 8082 is in use by another process (the admin API's port, on 127.0.0.1): "
            + "stop that process, or choose another port");
    assertThat(ListeningPorts.inUse(listeners, Map.of(), l -> false))
        .isEqualTo("a port was in use by another process when the service started: one of http.port 8080, "
            + "notifySink.port 8081, admin.port 8082");
  }

  @Test
  void twoOfTheServicesOwnServersOnOnePortAreAConfigError() {
    // The three-node example's trap: HTTP_PORT=8081 on a node that runs the local sink on its default port.
    assertThatThrownBy(() -> app(ConfigLoader.fromEnvironment(Map.of("HTTP_PORT", "8081")),
        ConfigLoader.variables(Map.of("HTTP_PORT", "8081"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("notifySink.port: is the port of the HTTP API too (http.port): each server needs a port "
            + "of its own, got 8081");
    assertThatThrownBy(() -> app(ConfigLoader.fromEnvironment(Map.of("ADMIN_PORT", "8080")),
        ConfigLoader.variables(Map.of("ADMIN_PORT", "8080"))))
        .hasMessageContaining("ADMIN_PORT: is the port of the HTTP API too (http.port)");
    // Port 0 is any free port: never a clash.
    app(new JsonObject().put("http", new JsonObject().put("port", 0)).put("admin", new JsonObject().put("port", 0)),
        Map.of());
  }
}
