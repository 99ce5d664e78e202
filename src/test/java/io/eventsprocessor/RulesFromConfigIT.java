package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventsprocessor.FakeNotificationService.Received;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs' example rules on the real jar, from configuration alone: turned on by SIGHUP after the file changed, and
 * a yoga session's state kept through {@code kill -9}.
 */
class RulesFromConfigIT {
  @TempDir Path dir;
  Vertx vertx;
  FakeNotificationService notifications;
  JarNode node;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    notifications = new FakeNotificationService(vertx).start().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (node != null) {
      node.destroy();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  JarNode start(Path conf) throws Exception {
    return new JarNode("rules", List.of(), Map.of("STATE_DIR", dir.resolve("state").toString(),
        "NOTIFY_SINK_ENABLED", "false", "NOTIFY_URL", notifications.url()), "-conf", conf.toString())
        .hangupsDelivered().start().awaitReady(Duration.ofSeconds(40));
  }

  /** SIGHUP once the service has started whole (the start-up summary is its last word). */
  void sighup() throws Exception {
    awaitLine("started: single node");
    node.sighup();
  }

  /** Waits for the node to log a line with {@code text}; if it does not, the failure shows the node's last lines. */
  void awaitLine(String text) {
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> node.linesContaining(text) == 1);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no line with \"" + text + "\" within 20 s\n" + node.diagnostics(30), e);
    }
  }

  static String yoga(String type, String at) {
    return ModesEndToEndTest.yoga(type, "yogi", "s1", at);
  }

  String status(String event) throws Exception {
    return new JsonObject(node.postEvent(event).body()).getString("status");
  }

  @Test
  void aSighupTurnsOnTheRulesTheFileNowHasAndTheirStateSurvivesAKill() throws Exception {
    Path conf = Files.copy(Path.of("conf/config.json"), dir.resolve("config.json"));
    node = start(conf);
    assertThat(status(yoga("yoga_session_started", "07:00:00"))).isEqualTo("unsupported");

    // The example rules added to the file, then SIGHUP.
    JsonObject config = new JsonObject(Files.readString(conf));
    JsonObject examples = new JsonObject(Files.readString(Path.of("conf/example-rules.json")));
    config.put("events", examples.getJsonObject("events"));
    config.getJsonObject("rules").mergeIn(examples.getJsonObject("rules"));
    Files.writeString(conf, config.encodePrettily());
    sighup();
    awaitLine("rules: reloaded");
    assertThat(status(yoga("yoga_session_started", "07:00:00"))).isEqualTo("accepted");

    // Killed with the session open: the next start has it from the journal.
    node.kill();
    node.awaitExit(Duration.ofSeconds(10));
    node = start(conf);
    assertThat(status(yoga("yoga_session_ended", "07:35:00"))).isEqualTo("accepted");
    await().atMost(Duration.ofSeconds(20)).until(() -> !notifications.delivered().isEmpty());
    assertThat(notifications.delivered()).extracting(Received::kind, Received::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("yoga_congratulation", "Namaste! 35 minutes of yoga today."));
  }

  @Test
  void aCongratulationHeldByQuietHoursSurvivesAKillAndGoesOutOnce() throws Exception {
    Path conf = Files.copy(Path.of("conf/config.json"), dir.resolve("config.json"));
    node = start(conf);
    assertThat(status(GuardedEndToEndTest.program("training_program_started", "eve", "p1", "23:00")))
        .isEqualTo("accepted");
    assertThat(status(GuardedEndToEndTest.program("training_program_finished", "eve", "p1", "23:40")))
        .isEqualTo("accepted");

    // Killed while the congratulation waits for 07:00 in Berlin: the next start has it from the journal.
    node.kill();
    node.awaitExit(Duration.ofSeconds(10));
    node = start(conf);
    assertThat(notifications.delivered()).isEmpty();
    assertThat(status("{\"type\": \"app_launch\", \"userId\": \"eve\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2026-06-01T07:05:00+02:00\"}")).isEqualTo("accepted");
    await().atMost(Duration.ofSeconds(20)).until(() -> !notifications.delivered().isEmpty());

    // Killed again once it went out: it is not sent twice.
    node.kill();
    node.awaitExit(Duration.ofSeconds(10));
    node = start(conf);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
        .until(() -> notifications.delivered().stream().map(r -> r.body().getString("id")).distinct().count() == 1);
    assertThat(notifications.delivered()).extracting(Received::kind).containsOnly("training_congratulation");
    assertThat(notifications.delivered().get(0).message()).contains("40 Minuten");
  }

  @Test
  void aSighupWithAFileThatCannotRunKeepsTheRunningRules() throws Exception {
    Path conf = Files.writeString(dir.resolve("config.json"), Files.readString(Path.of("conf/example-rules.json")));
    node = start(conf);
    Files.writeString(conf, "{\"rules\": {\"yoga_congratulation\": {\"kind\": \"streak\"}}}");
    sighup();
    awaitLine("rules: reload refused");
    assertThat(node.output()).anySatisfy(line -> assertThat(line)
        .contains("rules.yoga_congratulation.kind: unknown shape: must be absence or duration, got \"streak\""));
    assertThat(node.isAlive()).isTrue();
    assertThat(status(yoga("yoga_session_started", "07:00:00"))).isEqualTo("accepted");
  }
}
