package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shaded jar refuses to start on a config value or a state directory it cannot use, with exit code 15 and one
 * line that names the environment variable, the key or the file, without a stack trace (the {@code -conf} file
 * itself: {@link ConfigIT}).
 */
class StartFailuresIT {
  @TempDir Path dir;

  /** Runs the jar until it exits by itself; its output. */
  private JarNode run(Map<String, String> environment, String... args) throws Exception {
    java.util.HashMap<String, String> env = new java.util.HashMap<>(environment);
    env.putIfAbsent("STATE_DIR", dir.resolve("state").toString());
    env.putIfAbsent("NOTIFY_SINK_ENABLED", "false");
    JarNode node = new JarNode("failing", List.of(), env, args).start();
    int code = node.awaitExit(Duration.ofSeconds(60));
    assertThat(code).as("exit code; output: %s", node.output()).isEqualTo(15);
    return node;
  }

  private static void assertOneLineNaming(JarNode node, String... parts) throws InterruptedException {
    List<String> output = node.awaitOutputEnd();
    assertThat(output).as("output").anySatisfy(line -> {
      assertThat(line).contains("cannot start");
      for (String part : parts) {
        assertThat(line).contains(part);
      }
    });
    assertThat(output).as("no stack trace for an operator's mistake").noneMatch(line -> line.startsWith("\tat "));
    assertThat(output).as("nothing started").noneMatch(line -> line.contains("accepting events"));
  }

  @Test
  void aWrongEnvironmentVariableIsNamedByItsNameAndAChoiceSaysWhatItAccepts() throws Exception {
    JarNode node = run(Map.of("AUTH_MODE", "password"), "-conf", "conf/config.json");
    assertOneLineNaming(node);
    assertThat(node.awaitOutputEnd()).anySatisfy(line ->
        assertThat(line).contains("AUTH_MODE: must be one of none, writeKey, jwt, got \"password\""));
  }

  @Test
  void anUnknownLogFormatIsNamedByItsVariable() throws Exception {
    JarNode node = run(Map.of("LOG_FORMAT", "xml"), "-conf", "conf/config.json");
    assertOneLineNaming(node);
    assertThat(node.awaitOutputEnd()).anySatisfy(line ->
        assertThat(line).contains("LOG_FORMAT: must be one of text, json, got \"xml\""));
  }

  @Test
  void aPortInUseIsNamedWithItsKeyInOneLine() throws Exception {
    // Another process on the HTTP port, on every interface as the service binds it.
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("0.0.0.0", 0));
      int port = taken.getLocalPort();
      JarNode node = run(Map.of("HTTP_PORT", String.valueOf(port)), "-conf", "conf/config.json");
      assertOneLineNaming(node, "HTTP_PORT: " + port + " is in use by another process (the HTTP API's port, on 0.0.0.0; "
          + "the environment variable for http.port)");
      assertThat(node.awaitOutputEnd()).noneMatch(line -> line.contains("Failed in deploying verticle"));
      // What a failed jar test reports of a node (ClusterIT's messages): its state and its log's last lines.
      assertThat(node.diagnostics(3)).contains("--- failing", "exited with 15", "last 3 of ", "cannot start: HTTP_PORT");
    }
    // The metrics server's, set in the -conf file: named by its key.
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      JarNode node = run(Map.of(), "-conf", "{\"metrics\": {\"server\": \"own\", \"host\": \"127.0.0.1\", "
          + "\"port\": " + port + "}}");
      assertOneLineNaming(node, "metrics.port: " + port + " is in use by another process (the metrics server's port, "
          + "on 127.0.0.1)");
    }
  }

  @Test
  void aStateDirectoryThatIsAFileStopsTheStartNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    assertOneLineNaming(run(Map.of("STATE_DIR", file.toString()), "-conf", "conf/config.json"), file.toString());
  }

  /** A rule of the config that cannot run: the docs' example rules, each with one mistake, and what names it. */
  static Stream<Arguments> badRules() {
    return Stream.of(
        badRule("an unknown shape", "yoga_congratulation", "kind", "streak",
            "rules.yoga_congratulation.kind: unknown shape: must be absence or duration, got \"streak\""),
        badRule("a cancelling type that is also the trigger", "paused_nudge", "cancelledBy",
            new JsonArray().add("training_program_paused"),
            "rules.paused_nudge.cancelledBy: is also the trigger: a trigger cannot cancel itself"),
        badRule("a placeholder that is not declared", "yoga_congratulation", "message", "{minutes} minutes, {mood}",
            "rules.yoga_congratulation.message: unknown placeholder {mood}"),
        badRule("a duration of zero", "paused_nudge", "within", "PT0M",
            "rules.paused_nudge.within: must be an ISO-8601 duration longer than zero"),
        badRule("two rules sending the same kind", "yoga_congratulation", "notification", "training_congratulation",
            "rules.yoga_congratulation.notification: is also sent by rules.congratulation"),
        badRule("a template that does not parse", "paused_nudge", "message", "Pick up where you left {off",
            "rules.paused_nudge.message: does not parse"));
  }

  static Arguments badRule(String what, String rule, String key, Object value,
      String named) {
    return Arguments.of(what, rule, key, value, named);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRules")
  void aRuleThatCannotRunStopsTheStartNamingItsKey(String what, String rule, String key, Object value, String named)
      throws Exception {
    JsonObject config = new JsonObject(
        Files.readString(Path.of("conf/example-rules.json")));
    config.getJsonObject("rules").getJsonObject(rule).put(key, value);
    List<String> output = run(Map.of(), "-conf", config.encode()).awaitOutputEnd();
    assertThat(output).anySatisfy(line -> assertThat(line).contains("cannot start: invalid configuration:"));
    assertThat(output).anySatisfy(line -> assertThat(line).startsWith("  " + named));
    assertThat(output).as("no stack trace for an operator's mistake").noneMatch(line -> line.startsWith("\tat "));
  }
}
