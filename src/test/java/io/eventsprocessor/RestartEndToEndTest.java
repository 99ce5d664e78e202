package io.eventsprocessor;

import io.eventsprocessor.service.ServiceConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.FakeNotificationService.Received;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A stop and a start of the service with the same state directory forget nothing. */
@ExtendWith(VertxExtension.class)
class RestartEndToEndTest {
  @TempDir Path stateDir;
  TestService service;
  Vertx vertx;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    service = new TestService(vertx, stateDir);
  }

  void post(String event) {
    assertThat(service.http.postEvent(event).status()).isEqualTo(202);
  }

  @Test
  void aPendingReminderAndAProgramInProgressSurviveARestart() throws Exception {
    VirtualTime time = onVirtualTime(vertx);
    service.start();
    post("{\"type\": \"app_launch\", \"userId\": \"a\", \"deviceId\": \"d\", \"occurredAt\": \"2021-03-01T09:00:00Z\"}");
    post("{\"type\": \"training_program_started\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:00:00Z\", \"data\": {\"programId\": \"p\", \"programTitle\": \"Yoga\"}}");
    service.awaitSettled();

    service.stop();
    assertThat(stateDir.resolve("snapshot.dat")).exists();
    time.advance(Duration.ofMinutes(9));
    service.start();
    service.awaitSettled();
    assertThat(service.notifications.delivered()).isEmpty();

    post("{\"type\": \"training_program_finished\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:40:00Z\", \"data\": {\"programId\": \"p\"}}");
    assertThat(service.deliveredExactly(1)).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_congratulation");
      assertThat(r.userId()).isEqualTo("b");
      assertThat(r.message()).contains("40 minutes").contains("Yoga");
    });
    // The user's clock ran on while the service was down: the reminder is due ten minutes after the launch.
    time.advance(Duration.ofMinutes(1));
    assertThat(service.deliveredExactly(2)).filteredOn(r -> r.kind().equals("training_reminder")).singleElement()
        .satisfies(r -> assertThat(r.userId()).isEqualTo("a"));
  }

  @Test
  void aReminderThatFellDueWhileTheServiceWasDownIsSentAtTheStart() throws Exception {
    VirtualTime time = onVirtualTime(vertx);
    service.start();
    post("{\"type\": \"app_launch\", \"userId\": \"a\", \"deviceId\": \"d\", \"occurredAt\": \"2021-03-01T09:00:00Z\"}");
    service.awaitSettled();
    service.stop();

    time.advance(Duration.ofHours(2));
    service.start();
    assertThat(service.deliveredExactly(1)).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_reminder");
      assertThat(r.userId()).isEqualTo("a");
    });
  }

  VirtualTime onVirtualTime(Vertx vertx) {
    VirtualTime time = new VirtualTime(EndToEnd.START);
    service = new TestService(vertx, stateDir, service.notifications, time, ServiceConfig.FAMILIES);
    return time;
  }

  /** Leaves one congratulation (for user b) in the saved outbox, and the receiver up again. */
  void queueACongratulationWhileTheReceiverIsDownThenStop() throws Exception {
    service.start();
    service.notifications.stop().await(5, TimeUnit.SECONDS);
    post("{\"type\": \"training_program_started\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:00:00Z\", \"data\": {\"programId\": \"p\"}}");
    post("{\"type\": \"training_program_finished\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:40:00Z\", \"data\": {\"programId\": \"p\"}}");
    service.stop();
    service.notifications.start().await(5, TimeUnit.SECONDS);
  }

  @Test
  void queuedNotificationsSurviveARestart() throws Exception {
    queueACongratulationWhileTheReceiverIsDownThenStop();
    service.start();
    assertThat(service.deliveredExactly(1)).singleElement().satisfies(r -> assertThat(r.userId()).isEqualTo("b"));
  }

  @Test
  void aStartThatFailsMidwayStillRecordsWhatItDelivered() throws Exception {
    queueACongratulationWhileTheReceiverIsDownThenStop();

    // The HTTP port is taken: the outbox starts (and delivers what it restored), then the start fails.
    HttpServer squatter = service.vertx.createHttpServer().requestHandler(r -> r.response().end())
        .listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    JsonObject taken = new JsonObject()
        .put("http", new JsonObject().put("port", squatter.actualPort()));
    Throwable failure = service.deploy(taken).toCompletionStage().handle((ok, e) -> e).toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(failure).isNotNull();
    assertThat(service.notifications.delivered()).hasSize(1);

    // The next start runs the whole service again (a start that left its parts half-registered would deploy
    // nothing), and does not send again what the failed one delivered.
    squatter.close().await(5, TimeUnit.SECONDS);
    service.start();
    post("{\"type\": \"training_program_started\", \"userId\": \"c\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:00:00Z\", \"data\": {\"programId\": \"p\"}}");
    post("{\"type\": \"training_program_finished\", \"userId\": \"c\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:40:00Z\", \"data\": {\"programId\": \"p\"}}");
    assertThat(service.deliveredExactly(2)).extracting(Received::userId).containsExactlyInAnyOrder("b", "c");
  }

  @Test
  void anUnreadableStateFileStopsTheStartWithAClearMessage() throws Exception {
    Files.writeString(stateDir.resolve("snapshot.dat"), "half a snapshot");
    Throwable failure = service.deploy(new JsonObject()).toCompletionStage().handle((ok, e) -> e)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(failure).hasMessageContaining("cannot read the state file").hasMessageContaining("snapshot.dat");
  }

  @Test
  void anEventResentAfterARestartIsADuplicate() throws Exception {
    service.start();
    String start = "{\"id\": \"s1\", \"type\": \"training_program_started\", \"userId\": \"b\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T10:00:00Z\", \"data\": {\"programId\": \"p\"}}";
    post(start);
    service.stop();
    service.start();
    HttpClient.Response again = service.http.postEvent(start);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("status")).isEqualTo("duplicate");
  }

  @Test
  void theStateDirectoryBelongsToOneServiceAtATime() throws Exception {
    service.start();
    // Another Vert.x, as another process would have (see ApplicationJarIT for two processes).
    Vertx other = Vertx.vertx();
    try {
      TestService second = new TestService(other, stateDir);
      Throwable failure = second.deploy(new JsonObject()).toCompletionStage().handle((ok, e) -> e)
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(failure).hasMessageContaining("cannot use the state directory " + stateDir.toRealPath())
          .hasMessageContaining("another process uses it (pid " + ProcessHandle.current().pid());
    } finally {
      other.close().await(10, TimeUnit.SECONDS);
    }
    // The first one is not disturbed.
    post("{\"type\": \"app_launch\", \"userId\": \"a\", \"deviceId\": \"d\", \"occurredAt\": \"2021-03-01T09:00:00Z\"}");
  }

  @Test
  void aStateDirectoryThatCannotBeWrittenRefusesTheStart() throws Exception {
    Path notADirectory = Files.writeString(stateDir.resolve("a-file"), "");
    Throwable failure = service.deploy(new JsonObject().put("state", new JsonObject().put("dir", notADirectory.toString())))
        .toCompletionStage().handle((ok, e) -> e).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(failure).hasMessageContaining("cannot use the state directory " + notADirectory);
  }

  @Test
  void whatAnInterruptedSaveLeftIsRemovedAtStart() throws Exception {
    Path leftover = Files.writeString(stateDir.resolve("snapshot.json12345.tmp"), "{\"half\": ");
    service.start();
    assertThat(leftover).doesNotExist();
  }
}
