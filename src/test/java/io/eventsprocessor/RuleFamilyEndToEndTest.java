package io.eventsprocessor;

import io.eventsprocessor.service.ServiceConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.HttpClient.Response;
import io.eventsprocessor.nudge.NudgeFamily;
import io.eventsprocessor.rules.RuleFamily;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule family defined only in the tests ({@link NudgeFamily}) and registered like the service's own works end to
 * end: its settings are read and checked, its own event type is accepted, validated under its legacy names and
 * routed, its notification is delivered, its state is saved and restored. Nothing under src/main knows it.
 */
@ExtendWith(VertxExtension.class)
class RuleFamilyEndToEndTest {
  static final List<RuleFamily<?>> WITH_NUDGE =
      Stream.concat(ServiceConfig.FAMILIES.stream(), Stream.of(new NudgeFamily())).toList();

  @TempDir Path stateDir;
  VirtualTime time;
  TestService service;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    time = new VirtualTime(EndToEnd.START);
    service = new TestService(vertx, stateDir, time, WITH_NUDGE);
  }

  Response post(String json) {
    return service.http.postEvent(json);
  }

  static String skipped(String user, String at, String reason) {
    return "{\"user_id\": \"" + user + "\", \"device_id\": \"d\", \"type\": \"training_program_skipped\", "
        + "\"training_program_id\": \"p\", \"skip_reason\": \"" + reason + "\", \"time_stamp\": \"2026-01-01 " + at + "\"}";
  }

  static String cancelled(String user, String at) {
    return "{\"type\": \"training_program_cancelled\", \"userId\": \"" + user + "\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2026-01-01T" + at + "Z\", \"data\": {\"programId\": \"p\", \"reason\": \"too hard\"}}";
  }

  @Test
  void itsOwnEventTypeIsAcceptedAndItsNotificationDelivered() throws Exception {
    service.start(new JsonObject().put("rules", new JsonObject().put("nudge", new JsonObject().put("after", 3))));
    assertThat(post(skipped("u1", "10:00:00", "no time")).json().getString("status")).isEqualTo("accepted");
    assertThat(post(cancelled("u1", "11:00:00")).status()).isEqualTo(202);
    assertThat(post(skipped("u1", "12:00:00", "tired")).status()).isEqualTo(202);

    assertThat(service.deliveredExactly(1)).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_nudge");
      assertThat(r.userId()).isEqualTo("u1");
      assertThat(r.message()).isEqualTo("3 programs given up in a row (tired): how about a shorter one?");
    });
    assertThat(service.admin.get("/metrics").body()).contains("events_processor_users{family=\"nudge\"} 0.0");
  }

  @Test
  void itsEventsAreValidatedAsItDeclaresThem() throws Exception {
    service.start();
    Response noProgram = post("{\"user_id\": \"u1\", \"device_id\": \"d\", \"type\": \"training_program_skipped\", "
        + "\"time_stamp\": \"2026-01-01 10:00:00\"}");
    assertThat(noProgram.status()).isEqualTo(400);
    assertThat(noProgram.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("training_program_id");

    Response tooLong = post(skipped("u1", "10:00:00", "x".repeat(65)));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("skip_reason");
  }

  @Test
  void withoutItsRegistrationItsTypeIsUnsupported(Vertx vertx) throws Exception {
    TestService without = new TestService(vertx, stateDir.resolve("without"), time, ServiceConfig.FAMILIES);
    without.start();
    assertThat(without.http.postEvent(skipped("u1", "10:00:00", "no time")).json().getString("status"))
        .isEqualTo("unsupported");
  }

  @Test
  void itsSettingsAreCheckedByTheirFullNames() {
    Throwable failure = service.deploy(new JsonObject().put("rules", new JsonObject().put("nudge",
        new JsonObject().put("after", 1).put("windw", "PT1H")))).toCompletionStage().handle((ok, e) -> e)
        .toCompletableFuture().join();
    assertThat(failure).hasMessageContaining("rules.nudge.after: must be a whole number from 2 to 100, got 1")
        .hasMessageContaining("rules.nudge.windw: unknown key");
  }

  @Test
  void itsStateIsSavedAndRestoredAndExpiresWithTheUsersClock() throws Exception {
    service.start();
    post(cancelled("u1", "10:00:00"));
    post(cancelled("u1", "10:30:00"));
    post(cancelled("u2", "10:00:00"));
    post(cancelled("u2", "10:30:00"));
    service.awaitSettled();
    service.stop();

    service.start();
    time.advance(Duration.ofHours(23));
    post(cancelled("u1", "11:00:00"));
    assertThat(service.deliveredExactly(1)).singleElement()
        .satisfies(r -> assertThat(r.userId()).isEqualTo("u1"));

    // u2's streak ends: a day passes without a give-up, and the next one starts a new streak.
    time.advance(Duration.ofHours(2));
    post(cancelled("u2", "11:00:00").replace("2026-01-01", "2026-01-02"));
    service.deliveredExactly(1);
  }
}
