package io.eventsprocessor;

import static io.eventsprocessor.HttpClient.resource;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.FakeNotificationService.Received;
import io.eventsprocessor.HttpClient.Response;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real main verticle on a free port, against a real HTTP server standing in for the notification service. */
class ServiceEndToEndTest extends EndToEnd {
  static final List<String> TASK_EVENTS =
      List.of("1-foo2-app-launch", "2-foo1-started", "3-foo2-started", "4-foo2-cancelled", "5-foo1-finished");

  @ParameterizedTest
  @ValueSource(strings = {"legacy", "improved"})
  void theTasksFiveExampleEventsSendExactlyACongratulationAndAReminder(String format) throws Exception {
    startService();
    for (String event : TASK_EVENTS) {
      Response response = http.postEvent(resource("examples/" + format + "/" + event + ".json"));
      assertThat(response.status()).as(event).isEqualTo(202);
      assertThat(response.json().getString("status")).isEqualTo("accepted");
    }

    List<Received> delivered = deliveredExactly(2);
    assertThat(delivered).filteredOn(r -> r.kind().equals("training_congratulation")).singleElement().satisfies(r -> {
      assertThat(r.userId()).isEqualTo("foo1");
      assertThat(r.body().getString("deviceId")).isEqualTo("bar1");
      assertThat(r.message()).contains("36 minutes").contains("7 Minutes of HIIT Training");
      assertThat(r.body().getJsonObject("data").getInteger("minutes")).isEqualTo(36);
      assertThat(r.idempotencyKey()).isEqualTo(r.body().getString("id"));
    });
    assertThat(delivered).filteredOn(r -> r.kind().equals("training_reminder")).singleElement()
        .satisfies(r -> assertThat(r.userId()).isEqualTo("foo2"));

    Response metrics = service.admin.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("events_processor_events_total{outcome=\"accepted\"} 5.0")
        .contains("events_processor_notifications_total{outcome=\"delivered\"} 2.0")
        .contains("events_processor_outbox_queued 0.0")
        .contains("events_processor_users{family=\"congratulation\"} 0.0")
        .contains("events_processor_users{family=\"reminder\"} 0.0");
    // The histograms along the way, and the JVM's meters, without Vert.x's (on when the Launcher builds Vert.x).
    assertThat(MetricsIT.value(metrics.body(), "events_processor_event_age_seconds_count")).isEqualTo(5);
    assertThat(MetricsIT.value(metrics.body(), "events_processor_decision_latency_seconds_count")).isEqualTo(2);
    assertThat(MetricsIT.value(metrics.body(), "events_processor_delivery_latency_seconds_count")).isEqualTo(2);
    assertThat(MetricsIT.value(metrics.body(),
        "events_processor_notification_attempts_bucket{outcome=\"delivered\",le=\"1.0\"}")).isEqualTo(2);
    assertThat(metrics.body()).contains("jvm_memory_used_bytes{").contains("process_cpu_usage");
  }

  @Test
  void aLiveReminderArrivesOnTimeWithoutFurtherEvents() throws Exception {
    startService(reminderDelay("PT1S"));
    Instant posted = Instant.now();
    // Stamped years ago: the reminder is judged by the user's own clock, not the server's.
    assertThat(http.postEvent(resource("examples/legacy/1-foo2-app-launch.json")).status()).isEqualTo(202);

    List<Received> delivered = deliveredExactly(1);
    assertThat(delivered.get(0).kind()).isEqualTo("training_reminder");
    assertThat(Duration.between(posted, delivered.get(0).at())).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
  }

  @Test
  void aReminderFallsDueWhenTheUsersClockReachesTheDelay() throws Exception {
    VirtualTime time = onVirtualTime();
    startService();
    assertThat(http.postEvent("""
        {"type": "app_launch", "userId": "u1", "deviceId": "d1", "occurredAt": "2026-01-01T10:00:00Z"}""").status())
        .isEqualTo(202);
    service.awaitSettled();

    time.advance(Duration.ofMinutes(10).minusMillis(1));
    deliveredExactly(0);
    time.advance(Duration.ofMillis(1));
    assertThat(deliveredExactly(1)).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_reminder");
      assertThat(r.body().getJsonObject("data").getString("launchedAt")).isEqualTo("2026-01-01T10:00:00Z");
    });
  }

  @Test
  void aStartCancelsTheLiveReminder() throws Exception {
    VirtualTime time = onVirtualTime();
    startService();
    assertThat(http.postEvent("""
        {"type": "app_launch", "userId": "u1", "deviceId": "d1", "occurredAt": "2026-01-01T10:00:00Z"}""").status())
        .isEqualTo(202);
    assertThat(http.postEvent("""
        {"type": "training_program_started", "userId": "u1", "deviceId": "d1", "occurredAt": "2026-01-01T10:00:00.5Z",
         "data": {"programId": "p"}}""").status()).isEqualTo(202);
    service.awaitSettled();

    time.advance(Duration.ofHours(1));
    deliveredExactly(0);
  }

  @Test
  void anUnknownTypeIsAcceptedAsUnsupportedAndSendsNothing() throws Exception {
    VirtualTime time = onVirtualTime();
    startService();
    Response response = http.postEvent("""
        {"id": "r1", "type": "workout_rated", "userId": "u1", "deviceId": "d1", "occurredAt": "2026-01-01T10:00:00Z",
         "data": {"stars": 5}}""");
    assertThat(response.status()).isEqualTo(202);
    assertThat(response.json()).isEqualTo(new JsonObject().put("id", "r1").put("status", "unsupported"));
    time.advance(Duration.ofHours(1));
    deliveredExactly(0);
  }

  @Test
  void aNotificationServiceFailureIsRetriedAndDeliveredOnce() throws Exception {
    startService();
    notifications.answerNext(500);
    for (String event : List.of("2-foo1-started", "5-foo1-finished")) {
      assertThat(http.postEvent(resource("examples/legacy/" + event + ".json")).status()).isEqualTo(202);
    }

    assertThat(deliveredExactly(1)).singleElement().extracting(Received::kind).isEqualTo("training_congratulation");
    assertThat(notifications.requests()).hasSize(2)
        .extracting(Received::idempotencyKey).containsOnly(notifications.delivered().get(0).body().getString("id"));
  }

  record BadInput(String name, String contentType, String body, int status, String field, String message) {}

  static final List<BadInput> BAD_INPUTS = List.of(
      new BadInput("not JSON", "application/json", "{\"type\": ", 400, "$", "is not valid JSON"),
      new BadInput("empty", "application/json", "", 400, "$", "is empty"),
      new BadInput("not an object", "application/json", "[{\"type\": \"app_launch\"}]", 400, "$", "must be a JSON object"),
      new BadInput("null", "application/json", "null", 400, "$", "must be a JSON object"),
      new BadInput("a duplicated key", "application/json",
          "{\"type\": \"app_launch\", \"type\": \"x\", \"userId\": \"u\", \"deviceId\": \"d\", \"occurredAt\": \"2026-01-01T10:00:00Z\"}",
          400, "$", "Duplicate field 'type'"),
      new BadInput("a missing field", "application/json",
          "{\"type\": \"app_launch\", \"deviceId\": \"d\", \"occurredAt\": \"2026-01-01T10:00:00Z\"}", 400, "userId", "is required"),
      new BadInput("a field of the wrong type", "application/json",
          "{\"type\": \"app_launch\", \"userId\": 42, \"deviceId\": \"d\", \"occurredAt\": \"2026-01-01T10:00:00Z\"}",
          400, "userId", "must be a string"),
      new BadInput("an unparseable timestamp", "application/json",
          "{\"type\": \"app_launch\", \"userId\": \"u\", \"deviceId\": \"d\", \"occurredAt\": \"yesterday\"}",
          400, "occurredAt", "RFC 3339"),
      new BadInput("a type that is not an identifier", "application/json",
          "{\"type\": \"<script>\", \"userId\": \"u\", \"deviceId\": \"d\", \"occurredAt\": \"2026-01-01T10:00:00Z\"}",
          400, "type", "lower-case identifier"),
      new BadInput("a training event without a program id", "application/json",
          "{\"user_id\": \"u\", \"device_id\": \"d\", \"type\": \"training_program_finished\", \"time_stamp\": \"2021-02-28 16:59:43\"}",
          400, "training_program_id", "is required"),
      new BadInput("too large a body", "application/json",
          "{\"type\": \"app_launch\", \"padding\": \"" + "x".repeat(70_000) + "\"}", 413, null, "larger than the limit"),
      new BadInput("not JSON content", "text/plain", "hello", 415, null, "Content-Type: application/json"),
      new BadInput("no content type", null, "{}", 415, null, "Content-Type: application/json"),
      new BadInput("too deep a nesting", "application/json", "[".repeat(100) + "]".repeat(100), 400, "$", "nesting depth"));

  @Test
  void everyKindOfBadInputGetsItsStatusAndABodyNamingTheProblem() throws Exception {
    startService();
    for (BadInput bad : BAD_INPUTS) {
      Response response = http.post("/v1/event", bad.contentType(), Buffer.buffer(bad.body()));
      assertThat(response.status()).as(bad.name()).isEqualTo(bad.status());
      assertThat(response.contentType()).as(bad.name()).isEqualTo("application/problem+json");
      JsonObject problem = response.json();
      assertThat(problem.getInteger("status")).as(bad.name()).isEqualTo(bad.status());
      if (bad.field() == null) {
        assertThat(problem.getString("detail")).as(bad.name()).contains(bad.message());
      } else {
        assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("field")).as(bad.name()).isEqualTo(bad.field());
        assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("message")).as(bad.name()).contains(bad.message());
      }
    }
    assertThat(http.request(HttpMethod.GET, "/v1/event").status()).isEqualTo(405);
    assertThat(http.request(HttpMethod.GET, "/v1/nothing").status()).isEqualTo(404);

    // None of it stopped the service.
    assertThat(http.postEvent(resource("examples/legacy/1-foo2-app-launch.json")).status()).isEqualTo(202);
    assertThat(http.get("/health").status()).isEqualTo(200);
  }
}
