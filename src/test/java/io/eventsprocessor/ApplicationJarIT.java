package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a user runs it, following the README: {@code java -jar target/events-processor.jar
 * -conf conf/config.json}, with the local notification sink logging what it receives.
 */
class ApplicationJarIT {
  static final Path JAR = Path.of(System.getProperty("app.jar", "target/events-processor.jar"));

  @TempDir Path stateDir;
  Process process;
  final List<String> output = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      sigterm();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  Process launch(Map<String, String> environment, String... args) throws IOException {
    return launch(List.of(), environment, args);
  }

  Process launch(List<String> jvmOptions, Map<String, String> environment, String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(List.of(args));
    output.clear();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    process = builder.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(output::add);
      } catch (IOException e) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  /**
   * SIGTERM, as an operator or Kubernetes stops the service. Through the process handle: {@code Process.destroy()}
   * would also close the pipe of the process's output, and what it logs while it stops would be lost.
   */
  void sigterm() {
    process.toHandle().destroy();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  long linesContaining(String text) {
    return output.stream().filter(line -> line.contains(text)).count();
  }

  @Test
  void theReadmeFlowShowsTheTwoNotificationsForTheTasksExampleEvents() throws Exception {
    int port = freePort();
    int sinkPort = freePort();
    launch(Map.of("HTTP_PORT", String.valueOf(port), "NOTIFY_SINK_PORT", String.valueOf(sinkPort),
        "NOTIFY_URL", "http://127.0.0.1:" + sinkPort + "/v1/notify", "ADMIN_PORT", "0", "STATE_DIR", stateDir.toString()),
        "-conf", "conf/config.json", "-instances", "2");
    // Two HTTP edges, one set of handlers: still exactly two notifications.
    await().atMost(Duration.ofSeconds(30)).until(() -> linesContaining("accepting events") == 2);

    for (String event : ServiceEndToEndTest.TASK_EVENTS) {
      post(port, Files.readString(Path.of("src/test/resources/examples/legacy", event + ".json")));
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> linesContaining("NOTIFY ") >= 2);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> linesContaining("NOTIFY ") == 2);
    assertThat(output).anySatisfy(line -> assertThat(line).contains("NOTIFY training_congratulation to user foo1").contains("36 minutes"));
    assertThat(output).anySatisfy(line -> assertThat(line).contains("NOTIFY training_reminder to user foo2"));

    // The start-up summary, and the warning that conf/config.json takes events from anyone on every interface.
    assertThat(output).anySatisfy(line -> assertThat(line).contains("INFO  MainVerticle - started: single node, 2 HTTP edges"));
    assertThat(output).anySatisfy(line -> assertThat(line).isEqualTo("  HTTP API  http://0.0.0.0:" + port + " (auth none)"));
    assertThat(output).anySatisfy(line -> assertThat(line).startsWith("  admin API http://127.0.0.1:").endsWith("/v1/admin/ (no token)"));
    assertThat(output).anySatisfy(line -> assertThat(line).isEqualTo("  notify    http://127.0.0.1:" + sinkPort
        + "/v1/notify; local sink on http://127.0.0.1:" + sinkPort + "/v1/notify"));
    assertThat(output).anySatisfy(line -> assertThat(line).isEqualTo("  state     " + stateDir + " (sync: fsync)"));
    assertThat(output).anySatisfy(line -> assertThat(line).startsWith("  limits    heap at most ")
        .contains("users kept").contains("notifications queued"));
    assertThat(output).anySatisfy(line -> assertThat(line).contains("WARN  MainVerticle - auth.mode is none and the "
        + "HTTP API listens on 0.0.0.0"));
  }

  static void post(int port, String event) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/event"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(event))
        .build();
    assertThat(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
        .as(event).isEqualTo(202);
  }

  @Test
  void aSigtermAndAStartKeepThePendingReminderAndTheProgramInProgress() throws Exception {
    int port = freePort();
    int sinkPort = freePort();
    Map<String, String> environment = Map.of("HTTP_PORT", String.valueOf(port), "NOTIFY_SINK_PORT", String.valueOf(sinkPort),
        "NOTIFY_URL", "http://127.0.0.1:" + sinkPort + "/v1/notify", "ADMIN_PORT", "0", "STATE_DIR", stateDir.toString());
    Path config = Files.createTempFile("config", ".json");
    // Snapshots are rare here: what survives is what the graceful stop saved.
    Files.writeString(config, "{\"rules\": {\"reminder\": {\"within\": \"PT3S\"}}, \"state\": {\"snapshotInterval\": \"PT1H\"}}");
    launch(environment, "-conf", config.toString());
    await().atMost(Duration.ofSeconds(30)).until(() -> linesContaining("accepting events") == 1);
    post(port, "{\"type\": \"app_launch\", \"userId\": \"a\", \"deviceId\": \"d\", \"occurredAt\": \"2021-03-01T09:00:00Z\"}");
    post(port, "{\"type\": \"training_program_started\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:00:00Z\", \"data\": {\"programId\": \"p\"}}");

    sigterm();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(linesContaining("NOTIFY ")).isZero();
    assertThat(stateDir.resolve("snapshot.dat")).exists();

    launch(environment, "-conf", config.toString());
    await().atMost(Duration.ofSeconds(30)).until(() -> linesContaining("accepting events") == 1);
    post(port, "{\"type\": \"training_program_finished\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:40:00Z\", \"data\": {\"programId\": \"p\"}}");
    await().atMost(Duration.ofSeconds(15)).until(() -> linesContaining("NOTIFY ") >= 2);
    assertThat(output).anySatisfy(line -> assertThat(line).contains("NOTIFY training_congratulation to user b").contains("40 minutes"));
    assertThat(output).anySatisfy(line -> assertThat(line).contains("NOTIFY training_reminder to user a"));
  }

  @Test
  void aWrongConfigValueStopsTheServiceWithAMessageNamingTheKey() throws Exception {
    Path config = Files.createTempFile("config", ".json");
    Files.writeString(config, "{\"rules\": {\"reminder\": {\"within\": \"ten minutes\"}}}");
    launch(Map.of("HTTP_PORT", String.valueOf(freePort()), "STATE_DIR", stateDir.toString()), "-conf", config.toString());

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isNotZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> linesContaining("rules.reminder.within: must be an ISO-8601 duration") == 1);
  }

  @Test
  void aSecondProcessOnTheSameStateDirectoryRefusesToStart() throws Exception {
    Map<String, String> environment = Map.of("HTTP_PORT", "0", "ADMIN_PORT", "0", "NOTIFY_SINK_ENABLED", "false",
        "STATE_DIR", stateDir.toString());
    Process first = launch(environment, "-conf", "conf/config.json");
    await().atMost(Duration.ofSeconds(30)).until(() -> linesContaining("accepting events") == 1);
    List<String> firstOutput = List.copyOf(output);

    Process second = launch(environment, "-conf", "conf/config.json");
    try {
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isEqualTo(15);
      await().atMost(Duration.ofSeconds(5)).until(() -> linesContaining("cannot use the state directory") == 1);
      assertThat(output).anySatisfy(line -> assertThat(line).contains(stateDir.toRealPath().toString())
          .contains("another process uses it (pid " + first.pid()));
      assertThat(first.isAlive()).isTrue();
    } finally {
      first.destroy();
      first.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(firstOutput).isNotEmpty();
  }

  @Test
  void aStopThatCannotSaveTheSnapshotSaysSoAndLosesNothing() throws Exception {
    int port = freePort();
    int sinkPort = freePort();
    Map<String, String> environment = Map.of("HTTP_PORT", String.valueOf(port), "NOTIFY_SINK_PORT", String.valueOf(sinkPort),
        "NOTIFY_URL", "http://127.0.0.1:" + sinkPort + "/v1/notify", "ADMIN_PORT", "0", "STATE_DIR", stateDir.toString());
    String config = "{\"state\": {\"snapshotInterval\": \"PT1H\"}}";
    launch(environment, "-conf", config);
    await().atMost(Duration.ofSeconds(30)).until(() -> linesContaining("accepting events") == 1);
    post(port, "{\"type\": \"training_program_started\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:00:00Z\", \"data\": {\"programId\": \"p\"}}");

    // A directory where the snapshot must go: the last save fails.
    Path inTheWay = Files.createDirectory(stateDir.resolve("snapshot.dat"));
    sigterm();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(74);
    await().atMost(Duration.ofSeconds(5)).until(() -> linesContaining("the last snapshot could not be saved") == 1);
    assertThat(output).anySatisfy(line -> assertThat(line).contains("the last snapshot could not be saved")
        .contains(inTheWay.toString()));

    // The journal kept everything: the open session is still there.
    Files.delete(inTheWay);
    launch(environment, "-conf", config);
    await().atMost(Duration.ofSeconds(30)).until(() -> linesContaining("accepting events") == 1);
    post(port, "{\"type\": \"training_program_finished\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:40:00Z\", \"data\": {\"programId\": \"p\"}}");
    await().atMost(Duration.ofSeconds(15)).until(() -> linesContaining("NOTIFY ") >= 1);
    assertThat(output).anySatisfy(line -> assertThat(line).contains("NOTIFY training_congratulation to user b")
        .contains("40 minutes"));
  }

  @Test
  void aFloodOfNewUsersAtASmallHeapEndsIn503sNotInAnOutOfMemoryError() throws Exception {
    int port = freePort();
    launch(List.of("-Xmx160m"), Map.of("HTTP_PORT", String.valueOf(port), "ADMIN_PORT", "0",
        "NOTIFY_SINK_ENABLED", "false", "STATE_DIR", stateDir.toString()), "-conf", "conf/config.json");
    await().atMost(Duration.ofSeconds(30)).until(() -> linesContaining("accepting events") == 1);
    HttpClient client = HttpClient.newHttpClient();
    post(port, "{\"type\": \"app_launch\", \"userId\": \"known\", \"deviceId\": \"d\", \"occurredAt\": \"2021-03-01T09:00:00Z\"}");

    int refused = 0;
    for (int batch = 0; batch < 1000 && refused == 0; batch++) {
      StringBuilder events = new StringBuilder("[");
      for (int i = 0; i < 500; i++) {
        events.append(i == 0 ? "" : ",").append("{\"type\": \"app_launch\", \"userId\": \"flood-").append(batch)
            .append('-').append(i).append("\", \"deviceId\": \"d\", \"occurredAt\": \"2021-03-01T09:00:00Z\"}");
      }
      HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(events + "]")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as("batch %d", batch).isIn(200, 429, 503);
      if (answer.statusCode() == 503) {
        refused++;
        assertThat(answer.body()).contains("takes no new ones now").contains("\"unavailable\"");
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
      }
    }
    assertThat(refused).as("new users refused once the heap's share for users is used").isPositive();
    assertThat(process.isAlive()).isTrue();
    assertThat(output).noneMatch(line -> line.contains("OutOfMemoryError"));
    // Known users go on.
    post(port, "{\"type\": \"training_program_started\", \"userId\": \"known\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T09:01:00Z\", \"data\": {\"programId\": \"p\"}}");
  }
}
