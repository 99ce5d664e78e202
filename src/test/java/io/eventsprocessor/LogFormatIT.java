package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar's log as an operator gets it: text with the date by default, or with {@code LOG_FORMAT=json} (or
 * the config's {@code log.format}) one JSON object per line, every line, with the ids of what it tells about as
 * fields of their own.
 */
class LogFormatIT {
  @TempDir Path stateDir;
  JarNode node;

  @AfterEach
  void stop() throws InterruptedException {
    if (node != null) {
      node.destroy();
    }
  }

  /** Runs the task's five events through the jar and stops it; its whole output. */
  private List<String> runTheTasksEvents(Map<String, String> environment, String... args) throws Exception {
    int sinkPort = JarNode.freePort();
    Map<String, String> env = new java.util.HashMap<>(Map.of("STATE_DIR", stateDir.toString(), "HTTP_HOST", "127.0.0.1",
        "NOTIFY_SINK_PORT", String.valueOf(sinkPort), "NOTIFY_URL", "http://127.0.0.1:" + sinkPort + "/v1/notify"));
    env.putAll(environment);
    node = new JarNode("logs", List.of(), env, args).start().awaitReady(Duration.ofSeconds(60));
    HttpClient client = HttpClient.newHttpClient();
    for (String event : ServiceEndToEndTest.TASK_EVENTS) {
      String body = Files.readString(Path.of("src/test/resources/examples/legacy", event + ".json"));
      assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/v1/event"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
    }
    // And one the service rejects: it has no user.
    assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/v1/event"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"device_id\": \"bar9\", \"type\": \"app_launch\", "
            + "\"time_stamp\": \"2021-02-28 16:22:52\"}")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    await().atMost(Duration.ofSeconds(15)).until(() -> node.linesContaining("delivered on attempt") == 2);
    node.sigterm();
    assertThat(node.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
    return node.awaitOutputEnd();
  }

  @Test
  void jsonLogsAreOneObjectPerLineWithTheIdsAsFields() throws Exception {
    List<String> lines = runTheTasksEvents(Map.of("LOG_FORMAT", "json"), "-conf", "conf/config.json");
    assertThat(lines).hasSizeGreaterThan(10);
    assertPythonReadsEachLineAsJson(lines);
    List<JsonObject> json = lines.stream().map(line -> {
      assertThat(line).as("a JSON object per line").startsWith("{").endsWith("}");
      return new JsonObject(line);
    }).toList();
    for (JsonObject line : json) {
      assertThat(OffsetDateTime.parse(line.getString("@timestamp"))).as("ISO-8601 time").isNotNull();
      assertThat(line.getString("level")).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
      assertThat(line.getString("logger_name")).isNotBlank();
      assertThat(line.getString("thread_name")).isNotBlank();
      assertThat(line.getString("message")).isNotNull();
    }

    // The reminder decided for foo2 when its start shows the 10 minutes had passed: the user, the event, the
    // notification.
    assertThat(json).filteredOn(l -> l.getString("message").contains("reminder 472fa796")).singleElement()
        .satisfies(l -> {
          assertThat(l.getString("userId")).isEqualTo("foo2");
          assertThat(l.getString("eventId")).isEqualTo("cb83420d-94f7-330b-b750-214e8edeff3d");
          assertThat(l.getString("notificationId")).isEqualTo("472fa796-1c1e-3e06-8371-71bd79ec0481");
        });
    // Its delivery, by the outbox, and its receipt, by the local sink.
    assertThat(json).filteredOn(l -> l.getString("logger_name").endsWith("OutboxVerticle")
        && l.getString("message").contains("delivered")).hasSize(2).allSatisfy(l -> {
          assertThat(l.getString("notificationId")).isIn("472fa796-1c1e-3e06-8371-71bd79ec0481",
              "c62fc593-3ec9-327b-89cb-bb52d8ed7fa2");
          assertThat(l.getString("userId")).isIn("foo1", "foo2");
          assertThat(l.getString("eventId")).isNotBlank();
        });
    assertThat(json).filteredOn(l -> l.getString("message").startsWith("NOTIFY training_congratulation"))
        .singleElement().satisfies(l -> {
          assertThat(l.getString("userId")).isEqualTo("foo1");
          assertThat(l.getString("notificationId")).isEqualTo("c62fc593-3ec9-327b-89cb-bb52d8ed7fa2");
        });
    // A rejected event has no id: the client's address is its field.
    assertThat(json).filteredOn(l -> l.getString("message").contains("rejected from"))
        .singleElement().satisfies(l -> {
          assertThat(l.getString("message")).contains("user_id is required");
          assertThat(l.getString("clientAddress")).isEqualTo("127.0.0.1");
        });
  }

  @Test
  void aRetriedDeliveryIsLoggedWithItsIds() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      FakeNotificationService receiver = new FakeNotificationService(vertx).start().await(10, TimeUnit.SECONDS);
      receiver.answerNext(503);
      List<JsonObject> json = runTheTasksEvents(Map.of("LOG_FORMAT", "json", "NOTIFY_URL", receiver.url(),
          "NOTIFY_SINK_ENABLED", "false"), "-conf", "conf/config.json").stream().map(JsonObject::new).toList();

      // The reminder, decided first, is refused once, then delivered: both lines name it, its user and its cause.
      JsonObject retried = json.stream().filter(l -> l.getString("message").contains("attempt 1 failed (status 503)"))
          .findFirst().orElseThrow();
      assertThat(retried.getString("level")).isEqualTo("WARN");
      assertThat(retried.getString("notificationId")).isEqualTo("472fa796-1c1e-3e06-8371-71bd79ec0481");
      assertThat(retried.getString("userId")).isEqualTo("foo2");
      assertThat(json).filteredOn(l -> l.getString("message").contains("delivered on attempt 2")).singleElement()
          .satisfies(l -> assertThat(l.getString("eventId")).isNotBlank().isEqualTo(retried.getString("eventId")));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** What a log pipeline's reader would say, checked with another parser than the encoder's when there is one. */
  private static void assertPythonReadsEachLineAsJson(List<String> lines) throws Exception {
    Process python;
    try {
      python = new ProcessBuilder("python3", "-c", "import json,sys; [json.loads(l) for l in sys.stdin]")
          .redirectErrorStream(true).start();
    } catch (IOException noPython) {
      return;
    }
    try (var stdin = python.getOutputStream()) {
      stdin.write(String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue()).as("python3's json.loads on every line: %s", output).isZero();
  }

  @Test
  void theConfigCanAskForJsonToo() throws Exception {
    List<String> lines = runTheTasksEvents(Map.of(), "-conf", "{\"log\": {\"format\": \"json\"}}");
    // From the moment the config is read, which is before anything is started.
    assertThat(lines.stream().dropWhile(line -> !line.startsWith("{")).toList())
        .hasSizeGreaterThan(10).allSatisfy(line -> assertThat(new JsonObject(line).getString("message")).isNotNull());
    assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"eventId\":\"e7c8bbf7-655b-3a84-9bf5-f76f61b1b761\""));
  }

  @Test
  void textLogsCarryTheDateAndTheZone() throws Exception {
    // A machine in a zone with a half-hour offset: the lines say which, and so when, whatever the reader's zone.
    List<String> lines = runTheTasksEvents(Map.of("TZ", "Asia/Kolkata"), "-conf", "conf/config.json");
    Instant stopped = Instant.now();
    assertThat(lines).filteredOn(line -> line.contains("NOTIFY ")).hasSize(2).allSatisfy(line -> {
      assertThat(line).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} \\+05:30 INFO  "
          + "NotifySinkVerticle - NOTIFY .*");
      OffsetDateTime logged = OffsetDateTime.parse(line.substring(0, 30),
          DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS xxx"));
      assertThat(Duration.between(logged.toInstant(), stopped)).isBetween(Duration.ZERO, Duration.ofMinutes(2));
    });
  }
}
