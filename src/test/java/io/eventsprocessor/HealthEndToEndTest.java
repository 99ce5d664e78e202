package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.eventsprocessor.HttpClient.Response;
import io.eventsprocessor.state.Journal;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Liveness and readiness as a load balancer or an orchestrator sees them: readiness is down exactly while events are
 * refused, naming the part that refuses them; liveness stays up.
 */
class HealthEndToEndTest extends EndToEnd {

  static String launch(String userId) {
    return """
        {"type": "app_launch", "userId": "%s", "deviceId": "d", "occurredAt": "2026-01-01T10:00:00Z"}""".formatted(userId);
  }

  static JsonObject up() {
    return new JsonObject().put("status", "UP");
  }

  @Test
  void liveAndReadyAnswerUpNamingEachCheckAndHeadAnswersTheSameWithoutABody() throws Exception {
    startService();
    Response live = http.get("/health/live");
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.contentType()).isEqualTo("application/json");
    assertThat(live.json()).isEqualTo(new JsonObject().put("status", "UP")
        .put("checks", new JsonObject().put("http", up())));

    Response ready = http.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json()).isEqualTo(new JsonObject().put("status", "UP").put("checks", new JsonObject()
        .put("outbox", up()).put("state", up()).put("users", up()).put("snapshots", up()).put("journal", up())
        .put("shutdown", up())));
    // /health is readiness under its first name.
    assertThat(http.get("/health").json()).isEqualTo(ready.json());

    for (String path : List.of("/health", "/health/live", "/health/ready")) {
      Response head = http.request(HttpMethod.HEAD, path);
      assertThat(head.status()).as(path).isEqualTo(200);
      assertThat(head.contentType()).as(path).isEqualTo("application/json");
      assertThat(head.body()).as(path).isNullOrEmpty();
    }
  }

  @Test
  void readinessIsDownWhileTheOutboxIsFullAndUpAgainOnceItDrains() throws Exception {
    startService(new JsonObject().put("notify", new JsonObject().put("outboxCapacity", 1).put("maxAttempts", 1000)));
    notifications.stop().await(5, TimeUnit.SECONDS);
    // Forty minutes of training: one congratulation, which cannot be delivered, fills the outbox.
    assertThat(http.postBatch(batch("""
        {"type": "training_program_started", "userId": "t", "deviceId": "d", "occurredAt": "2026-01-01T10:00:00Z",
         "data": {"programId": "p"}}""", """
        {"type": "training_program_finished", "userId": "t", "deviceId": "d", "occurredAt": "2026-01-01T10:40:00Z",
         "data": {"programId": "p"}}""")).statuses()).containsExactly("accepted", "accepted");
    await().atMost(Duration.ofSeconds(10)).until(() -> http.postEvent(launch("refused")).status() == 503);

    for (String path : List.of("/health/ready", "/health")) {
      Response ready = http.get(path);
      assertThat(ready.status()).as(path).isEqualTo(503);
      JsonObject outbox = ready.json().getJsonObject("checks").getJsonObject("outbox");
      assertThat(outbox.getString("status")).isEqualTo("DOWN");
      assertThat(outbox.getString("reason")).isEqualTo("The notification outbox is full (1 waiting)");
      assertThat(ready.json().getString("reason")).isEqualTo(outbox.getString("reason"));
      assertThat(ready.json().getJsonObject("checks").getJsonObject("state")).isEqualTo(up());
      assertThat(http.request(HttpMethod.HEAD, path).status()).as(path).isEqualTo(503);
    }
    assertThat(http.get("/health/live").status()).isEqualTo(200);

    notifications.start().await(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/health/ready").status() == 200);
    assertThat(http.postEvent(launch("taken")).status()).isEqualTo(202);
  }

  @Test
  void readinessIsDownOnceTheCapOnUsersIsReachedWhileKnownUsersAreStillTaken() throws Exception {
    startService(new JsonObject().put("state", new JsonObject().put("maxUsers", 1)));
    assertThat(http.postEvent(launch("first")).status()).isEqualTo(202);

    Response ready = http.get("/health/ready");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.json().getJsonObject("checks").getJsonObject("users")).isEqualTo(new JsonObject()
        .put("status", "DOWN")
        .put("reason", "The service keeps the state of its most users (1): events of new users are refused"));
    // Not ready for traffic in general, yet the user it has goes on, and only a new one is refused.
    assertThat(http.postEvent(launch("first").replace("10:00:00", "10:01:00")).status()).isEqualTo(202);
    assertThat(http.postEvent(launch("second")).status()).isEqualTo(503);
    assertThat(http.get("/health/live").status()).isEqualTo(200);
  }

  @Test
  void readinessIsDownWhileTheStateCannotBeWritten() throws Exception {
    AtomicBoolean diskFull = new AtomicBoolean();
    // Segments opened while the disk is "full" are /dev/full, where every write fails with ENOSPC.
    service.segments = path -> diskFull.get()
        ? FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)
        : Journal.SegmentOpener.FILES.open(path);
    // Frequent snapshots: each starts a new segment of the journal, which the "full disk" then refuses.
    startService(new JsonObject().put("state", new JsonObject().put("snapshotInterval", "PT0.05S")));
    diskFull.set(true);
    AtomicReference<Response> down = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      http.postEvent(launch("u" + System.nanoTime()));
      Response ready = http.get("/health/ready");
      down.set(ready);
      return ready.status() == 503;
    });
    JsonObject state = down.get().json().getJsonObject("checks").getJsonObject("state");
    assertThat(state.getString("status")).isEqualTo("DOWN");
    assertThat(state.getString("reason")).startsWith("The service cannot keep events now: the state cannot be written");
    assertThat(http.get("/health/live").status()).isEqualTo(200);

    diskFull.set(false);
    await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/health/ready").status() == 200);
    assertThat(http.postEvent(launch("after")).status()).isEqualTo(202);
  }

  /** Snapshots' temporary files opened on /dev/full while {@code failing} is set: every write fails with ENOSPC. */
  static Journal.SegmentOpener snapshotsFailWhile(AtomicBoolean failing) {
    return new Journal.SegmentOpener() {
      @Override
      public FileChannel open(Path path) throws IOException {
        return Journal.SegmentOpener.FILES.open(path);
      }

      @Override
      public FileChannel openSnapshot(Path path) throws IOException {
        return failing.get()
            ? FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)
            : Journal.SegmentOpener.FILES.openSnapshot(path);
      }
    };
  }

  /** A meter's value in the admin API's /metrics, or -1 when it is not there. */
  double metric(String line) {
    return metricIn(service.admin.get("/metrics").body(), line);
  }

  static double metricIn(String scrape, String line) {
    for (String l : scrape.split("\n")) {
      if (l.startsWith(line + " ")) {
        return Double.parseDouble(l.substring(line.length() + 1));
      }
    }
    return -1;
  }

  @Test
  void snapshotsThatFailAgainAndAgainAreCountedAndMakeTheNodeNotReadyWhileEventsAreStillTaken() throws Exception {
    AtomicBoolean failing = new AtomicBoolean();
    service.segments = snapshotsFailWhile(failing);
    startService(new JsonObject().put("state", new JsonObject().put("snapshotInterval", "PT0.05S")));
    assertThat(http.postEvent(launch("before")).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> metric("events_processor_snapshots_total{outcome=\"saved\"}") >= 1);
    assertThat(metric("events_processor_snapshots_total{outcome=\"failed\"}")).isEqualTo(0);

    failing.set(true);
    AtomicReference<Response> down = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      http.postEvent(launch("u" + System.nanoTime())); // something changed: a snapshot is due
      down.set(http.get("/health/ready"));
      return down.get().status() == 503;
    });
    JsonObject snapshots = down.get().json().getJsonObject("checks").getJsonObject("snapshots");
    assertThat(snapshots.getString("status")).isEqualTo("DOWN");
    // From the third failure in a row (more may have failed by the time it is read).
    assertThat(snapshots.getString("reason")).matches("The last [3-9] snapshots of the state could not be saved \\(.*")
        .contains("No space left on device").endsWith("the journal keeps every event meanwhile");
    assertThat(down.get().json().getString("reason")).isEqualTo(snapshots.getString("reason"));
    assertThat(down.get().json().getJsonObject("checks").getJsonObject("state")).isEqualTo(up());
    assertThat(metric("events_processor_snapshots_total{outcome=\"failed\"}")).isGreaterThanOrEqualTo(3);
    assertThat(metric("events_processor_snapshots_failing")).isGreaterThanOrEqualTo(3);
    // Not ready, so that a balancer sends traffic elsewhere; yet what comes is taken, into the journal.
    assertThat(http.postEvent(launch("still taken")).status()).isEqualTo(202);
    assertThat(http.get("/health/live").status()).isEqualTo(200);

    failing.set(false);
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      http.postEvent(launch("u" + System.nanoTime()));
      return http.get("/health/ready").status() == 200;
    });
    assertThat(metric("events_processor_snapshots_failing")).isEqualTo(0);
    // Every saved snapshot is timed: read from one scrape, while periodic snapshots may go on between two.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      String scrape = service.admin.get("/metrics").body();
      double timed = metricIn(scrape, "events_processor_snapshot_duration_seconds_count");
      return timed >= 2 && timed == metricIn(scrape, "events_processor_snapshots_total{outcome=\"saved\"}");
    });
    assertThat(metric("events_processor_snapshot_duration_seconds_sum")).isGreaterThan(0);
  }

  @Test
  void aJournalPastTwiceItsBoundBecauseSnapshotsFailRefusesEventsUntilASnapshotIsSaved() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    service.segments = snapshotsFailWhile(failing);
    startService(new JsonObject().put("state", new JsonObject().put("journalMaxMegabytes", 1)
        .put("snapshotInterval", "PT2S").put("maxUsers", 100_000)));
    assertThat(metric("events_processor_journal_max_bytes")).isEqualTo(1024 * 1024);

    // Batches of new users' launches, until the journal passes 2 MB and events are refused.
    int[] sent = {0};
    AtomicReference<HttpClient.Response> refused = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      String[] events = new String[500];
      for (int i = 0; i < events.length; i++) {
        events[i] = launch("bound-" + sent[0]++);
      }
      HttpClient.Response answer = http.postBatch(batch(events));
      refused.set(answer);
      return answer.status() == 503;
    });
    assertThat(metric("events_processor_journal_bytes")).isGreaterThan(2 * 1024 * 1024);
    assertThat(metric("events_processor_snapshots_total{outcome=\"failed\"}")).isGreaterThanOrEqualTo(1);
    Response ready = http.get("/health/ready");
    assertThat(ready.status()).isEqualTo(503);
    JsonObject journal = ready.json().getJsonObject("checks").getJsonObject("journal");
    assertThat(journal.getString("status")).isEqualTo("DOWN");
    assertThat(journal.getString("reason")).contains("more than twice state.journalMaxMegabytes (2 MB)")
        .endsWith("events are refused until one is saved");
    // Refused before the body is read, with the same reason: the journal does not grow, the disk does not fill.
    Response single = http.postEvent(launch("refused"));
    assertThat(single.status()).isEqualTo(503);
    assertThat(single.header("Retry-After")).isEqualTo("5");
    assertThat(single.json().getString("detail")).startsWith(journal.getString("reason") + "; nothing was accepted");
    assertThat(http.get("/health/live").status()).isEqualTo(200);

    failing.set(false);
    // Tried again within the snapshot interval, without an event to trigger it.
    await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/health/ready").status() == 200);
    assertThat(metric("events_processor_journal_bytes")).isLessThan(1024 * 1024);
    assertThat(http.postEvent(launch("after")).status()).isEqualTo(202);
  }

  @Test
  void aStartOnAJournalPastTwiceItsBoundSavesASnapshotAtOnceAndTakesEventsAgain() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    service.segments = snapshotsFailWhile(failing);
    JsonObject config = new JsonObject().put("state", new JsonObject().put("journalMaxMegabytes", 1)
        .put("snapshotInterval", "PT1M").put("maxUsers", 100_000));
    startService(config);
    int[] sent = {0};
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      String[] events = new String[500];
      for (int i = 0; i < events.length; i++) {
        events[i] = launch("restart-" + sent[0]++);
      }
      return http.postBatch(batch(events)).status() == 503;
    });
    // The last snapshot, at the stop, fails too (the undeployment says so): the journal keeps it all for the next
    // start.
    assertThat(catchThrowable(service::stop)).isNotNull();
    assertThat(stateDir.resolve("snapshot.dat")).doesNotExist();

    failing.set(false);
    startService(config);
    // Within the interval of a minute: the start saved a snapshot of the long journal it replayed, at once.
    await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/health/ready").status() == 200);
    assertThat(metric("events_processor_journal_bytes")).isLessThan(1024 * 1024);
    assertThat(http.postEvent(launch("after the restart")).status()).isEqualTo(202);
    assertThat(http.postEvent(launch("restart-0")).status()).as("remembered across the restart").isEqualTo(200);
  }
}
