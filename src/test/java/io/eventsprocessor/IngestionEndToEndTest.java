package io.eventsprocessor;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.eventsprocessor.FakeNotificationService.Received;
import io.eventsprocessor.HttpClient.Response;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Batches, duplicates, clock skew, limits and CloudEvents, through HTTP against the real service. */
class IngestionEndToEndTest extends EndToEnd {

  // Batches

  @Test
  void aBatchMixingValidInvalidDuplicateAndUnknownEventsGetsAnAnswerPerEventAndTheRightNotifications()
      throws Exception {
    startService();
    String invalid = """
        {"type": "app_launch", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""";
    String unknown = """
        {"id": "r1", "type": "workout_rated", "userId": "foo3", "deviceId": "d", "occurredAt": "2021-02-28T16:30:00Z"}""";
    Response response = http.postBatch(batch(
        legacy("1-foo2-app-launch"), improved("2-foo1-started"), invalid, unknown, legacy("3-foo2-started"),
        improved("2-foo1-started"), improved("4-foo2-cancelled"), legacy("5-foo1-finished")));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).isEqualTo("application/json");
    assertThat(response.statuses()).containsExactly(
        "accepted", "accepted", "rejected", "unsupported", "accepted", "duplicate", "accepted", "accepted");
    JsonArray results = response.json().getJsonArray("results");
    assertThat(results.getJsonObject(2)).isEqualTo(new JsonObject().put("index", 2).put("status", "rejected")
        .put("errors", new JsonArray().add(new JsonObject().put("field", "userId").put("message", "is required"))));
    assertThat(results.getJsonObject(1).getString("id")).isEqualTo("5d0c4a1e-0b7e-4f0e-9d1a-1f0c2b3a4d02");
    assertThat(results.getJsonObject(5).getString("id")).isEqualTo("5d0c4a1e-0b7e-4f0e-9d1a-1f0c2b3a4d02");
    assertThat(results.getJsonObject(3)).isEqualTo(new JsonObject().put("index", 3).put("id", "r1").put("status", "unsupported"));

    List<Received> delivered = deliveredExactly(2);
    assertThat(delivered).extracting(Received::kind, Received::userId).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("training_reminder", "foo2"),
        org.assertj.core.groups.Tuple.tuple("training_congratulation", "foo1"));
    assertThat(main.ingestStats().duplicates()).isEqualTo(1);
    assertThat(main.ingestStats().rejected()).isEqualTo(1);

    // The same batch again, as an app retrying after a lost answer: nothing is applied twice.
    Response again = http.postBatch(batch(legacy("1-foo2-app-launch"), improved("2-foo1-started"), invalid,
        unknown, legacy("3-foo2-started"), improved("4-foo2-cancelled"), legacy("5-foo1-finished")));
    // An event of a type no rule declares is not kept, so nothing remembers it: it is "unsupported" again.
    assertThat(again.statuses()).containsExactly(
        "duplicate", "duplicate", "rejected", "unsupported", "duplicate", "duplicate", "duplicate");
    deliveredExactly(2);
  }

  @Test
  void aRetriedSingleEventIsAppliedOnceAndAnsweredDuplicate() throws Exception {
    startService();
    assertThat(http.postEvent(legacy("2-foo1-started")).status()).isEqualTo(202);
    Response first = http.postEvent(legacy("5-foo1-finished"));
    Response retry = http.postEvent(legacy("5-foo1-finished"));

    assertThat(first.status()).isEqualTo(202);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json()).isEqualTo(new JsonObject().put("id", first.json().getString("id")).put("status", "duplicate"));
    assertThat(deliveredExactly(1)).singleElement().extracting(Received::kind).isEqualTo("training_congratulation");
  }

  @Test
  void anotherUserSendingTheSameEventIdIsNotADuplicate() throws Exception {
    startService();
    String event = """
        {"id": "same-id", "type": "app_launch", "userId": "%s", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""";
    assertThat(http.postEvent(event.formatted("a")).status()).isEqualTo(202);
    assertThat(http.postEvent(event.formatted("b")).status()).isEqualTo(202);
    assertThat(http.postEvent(event.formatted("a")).status()).isEqualTo(200);
  }

  record BadBatch(String name, String contentType, String body, int status, String message) {}

  @Test
  void aBatchThatIsItselfMalformedIsRefusedAsAWhole() throws Exception {
    startService(new JsonObject().put("http", new JsonObject().put("batchMaxEvents", 3).put("batchBodyLimit", 2048)));
    String event = legacy("1-foo2-app-launch");
    List<BadBatch> bad = List.of(
        new BadBatch("not JSON", "application/json", "[{", 400, "is not valid JSON"),
        new BadBatch("empty", "application/json", "", 400, "is empty"),
        new BadBatch("an object", "application/json", event, 400, "must be a JSON array of events"),
        new BadBatch("an empty array", "application/json", "[]", 400, "must hold at least one event"),
        new BadBatch("too many events", "application/json", batch(event, event, event, event), 413,
            "The batch holds 4 events; at most 3"),
        new BadBatch("too large", "application/json", "[\"" + "x".repeat(3000) + "\"]", 413, "limit of 2048 bytes"),
        new BadBatch("another content type", "text/plain", "[]", 415, "application/cloudevents-batch+json"));
    for (BadBatch b : bad) {
      Response response = http.post("/v1/events", b.contentType(), Buffer.buffer(b.body()));
      assertThat(response.status()).as(b.name()).isEqualTo(b.status());
      assertThat(response.contentType()).as(b.name()).isEqualTo("application/problem+json");
      assertThat(response.body()).as(b.name()).contains(b.message());
    }
    assertThat(http.postBatch(batch(event, event, event)).statuses()).containsExactly("accepted", "duplicate", "duplicate");
  }

  @Test
  void anArrayPostedToTheSingleEventEndpointIsToldThatArraysGoToTheBatchEndpoint() throws Exception {
    startService();
    Response response = http.postEvent(batch(legacy("1-foo2-app-launch"), legacy("2-foo1-started")));
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().getString("detail"))
        .isEqualTo("POST /v1/event takes one event; send arrays of events to POST /v1/events.");
    assertThat(response.json().getJsonArray("errors").getJsonObject(0).getMap()).containsExactly(
        Map.entry("field", "$"),
        Map.entry("message", "must be a JSON object (one event), not an array: POST /v1/events takes an array of events"));
    // Nothing of it was applied: the same events are taken by the batch endpoint.
    assertThat(http.postBatch(batch(legacy("1-foo2-app-launch"), legacy("2-foo1-started"))).statuses())
        .containsExactly("accepted", "accepted");
  }

  // Clock skew and late events

  @Test
  void aDeviceClockTwoHoursBehindStillGivesTheRightMinutesAndAReminderAtTheRightRealTime() throws Exception {
    VirtualTime time = onVirtualTime();
    startService();
    Instant posted = time.instant();
    Instant deviceNow = posted.minus(Duration.ofHours(2));
    String launch = """
        {"type": "app_launch", "userId": "late-clock", "deviceId": "d", "occurredAt": "%s", "sentAt": "%s"}"""
        .formatted(deviceNow, deviceNow);
    assertThat(http.postEvent(launch).status()).isEqualTo(202);

    // Due ten minutes after the launch by the server's clock, not at once as two hours ago would be.
    service.awaitSettled();
    time.advance(Duration.ofMinutes(10).minusMillis(1));
    deliveredExactly(0);
    time.advance(Duration.ofMillis(1));
    Received reminder = deliveredExactly(1).get(0);
    assertThat(reminder.kind()).isEqualTo("training_reminder");
    // The launch is known at its real time, not two hours ago.
    assertThat(reminder.body().getJsonObject("data").getString("launchedAt")).isEqualTo(posted.toString());

    // A training recorded offline and uploaded in one batch: 37 minutes by the device's clock stay 37 minutes.
    String start = """
        {"type": "training_program_started", "userId": "late-clock-2", "deviceId": "d", "occurredAt": "%s",
         "sentAt": "%s", "data": {"programId": "p", "programTitle": "Yoga"}}""";
    String finish = """
        {"type": "training_program_finished", "userId": "late-clock-2", "deviceId": "d", "occurredAt": "%s",
         "sentAt": "%s", "data": {"programId": "p"}}""";
    assertThat(http.postBatch(batch(start.formatted(deviceNow.minusSeconds(40 * 60), deviceNow),
        finish.formatted(deviceNow.minusSeconds(3 * 60), deviceNow))).statuses()).containsExactly("accepted", "accepted");
    assertThat(deliveredExactly(2)).filteredOn(r -> r.kind().equals("training_congratulation")).singleElement()
        .satisfies(r -> assertThat(r.message()).contains("37 minutes with Yoga"));
  }

  @Test
  void anEventStampedHoursAheadIsClampedToItsReceiptAndCounted() throws Exception {
    VirtualTime time = onVirtualTime();
    startService();
    Instant posted = time.instant();
    Instant ahead = posted.plus(Duration.ofHours(3));
    assertThat(http.postEvent("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "%s"}""".formatted(ahead)).status())
        .isEqualTo(202);

    service.awaitSettled();
    time.advance(Duration.ofMinutes(10));
    Received reminder = deliveredExactly(1).get(0);
    assertThat(reminder.body().getJsonObject("data").getString("launchedAt")).isEqualTo(posted.toString());
    assertThat(main.ingestStats().clamped()).isEqualTo(1);
  }

  @Test
  void aLateEventIsAcceptedAppliedAndCounted() throws Exception {
    startService();
    // The finish arrives before the start (two requests racing): the start is late, and still counts.
    assertThat(http.postEvent(legacy("5-foo1-finished")).status()).isEqualTo(202);
    assertThat(http.postEvent(legacy("2-foo1-started")).status()).isEqualTo(202);
    assertThat(main.ingestStats().late()).isEqualTo(1);
    assertThat(main.ingestStats().accepted()).isEqualTo(2);
    // Only the finish seen first: a finish without a start sends nothing, the late start opens a session.
    deliveredExactly(0);
  }

  // Limits

  @Test
  void anEventOverAPerEventLimitIsRejectedInAProblemNamingTheField() throws Exception {
    startService();
    Response response = http.postEvent("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z",
         "data": {"a": {"b": {"c": {"d": {"e": {}}}}}}}""");
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("data.a.b.c.d.e");
    Response tooLong = http.postBatch(batch("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z",
         "data": {"note": "%s"}}""".formatted("n".repeat(2000))));
    assertThat(tooLong.status()).isEqualTo(200);
    assertThat(tooLong.json().getJsonArray("results").getJsonObject(0).getJsonArray("errors").getJsonObject(0))
        .isEqualTo(new JsonObject().put("field", "data.note").put("message", "must be at most 1024 characters"));
  }

  @Test
  void aBodyThatIsNotValidUtf8IsRefusedNamingTheBody() throws Exception {
    startService();
    // "/" written in two bytes (C0 AF, an overlong form), as a path-traversal trick would: not UTF-8.
    Buffer overlong = Buffer.buffer("{\"type\": \"app_launch\", \"userId\": \"u")
        .appendBytes(new byte[] {(byte) 0xC0, (byte) 0xAF})
        .appendString("\", \"deviceId\": \"d\", \"occurredAt\": \"2021-02-28T16:22:00Z\"}");
    for (String path : List.of("/v1/event", "/v1/events")) {
      Buffer body = path.equals("/v1/event") ? overlong : Buffer.buffer("[").appendBuffer(overlong).appendString("]");
      Response response = http.post(path, "application/json", body);
      assertThat(response.status()).as(path).isEqualTo(400);
      assertThat(response.contentType()).isEqualTo("application/problem+json");
      assertThat(response.json().getJsonArray("errors").getJsonObject(0)).isEqualTo(new JsonObject()
          .put("field", "$").put("message", "is not valid UTF-8 (at byte " + (path.equals("/v1/event") ? 36 : 37) + ")"));
    }
    // A lone surrogate's encoding (ED A0 80) is not UTF-8 either; real non-ASCII text is.
    Buffer surrogate = Buffer.buffer("{\"type\": \"app_launch\", \"userId\": \"")
        .appendBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})
        .appendString("\", \"deviceId\": \"d\", \"occurredAt\": \"2021-02-28T16:22:00Z\"}");
    assertThat(http.post("/v1/event", "application/json", surrogate).status()).isEqualTo(400);
    Response text = http.postEvent("""
        {"type": "app_launch", "userId": "Jürgen 🏋", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""");
    assertThat(text.status()).isEqualTo(202);
    assertThat(main.ingestStats().accepted()).isEqualTo(1);
  }

  @Test
  void aMethodAnEndpointDoesNotTakeIsAnswered405WithTheMethodsItTakes() throws Exception {
    startService();
    for (String path : List.of("/v1/event", "/v1/events")) {
      Response response = http.request(io.vertx.core.http.HttpMethod.GET, path);
      assertThat(response.status()).as(path).isEqualTo(405);
      assertThat(response.header("Allow")).as(path).isEqualTo("POST");
      assertThat(response.contentType()).isEqualTo("application/problem+json");
    }
    for (String path : List.of("/health", "/health/live", "/health/ready", "/openapi.json")) {
      Response response = http.request(io.vertx.core.http.HttpMethod.DELETE, path);
      assertThat(response.status()).as(path).isEqualTo(405);
      assertThat(response.header("Allow")).as(path).isEqualTo("GET, HEAD");
      assertThat(response.json().getString("detail")).as(path).contains("GET or HEAD");
    }
  }

  @Test
  void oversizedHeadersOrRequestLinesGetAProblemToo() throws Exception {
    startService();
    HttpClient oneRequestPerConnection = new HttpClient(vertx, main.httpPort(), false);
    Response headers = oneRequestPerConnection.postJson("/v1/event", "{}", Map.of("X-Padding", "p".repeat(9000)));
    assertThat(headers.status()).isEqualTo(431);
    assertThat(headers.contentType()).isEqualTo("application/problem+json");
    assertThat(headers.json().getString("detail")).isEqualTo("The request headers are larger than the limit of 8192 bytes.");
    Response line = oneRequestPerConnection.postJson("/v1/event?" + "q".repeat(5000), "{}");
    assertThat(line.status()).isEqualTo(414);
    assertThat(line.json().getInteger("status")).isEqualTo(414);
    assertThat(http.postEvent(legacy("1-foo2-app-launch")).status()).isEqualTo(202);
  }

  // CloudEvents

  static final String CLOUD_EVENT = """
      {"specversion": "1.0", "id": "ce-%s", "source": "/apps/ios", "type": "%s", "time": "%s",
       "subject": "foo1", "deviceid": "bar1", "data": {"programId": "2352", "programTitle": "HIIT"}}""";

  @Test
  void anIdThatNeedsEscapingComesBackAsSent() throws Exception {
    startService();
    String id = "q\"uote\\back\u00e9\u0001\u2028/";
    Response accepted = http.post("/v1/event", "application/cloudevents+json", Buffer.buffer(new JsonObject(
        CLOUD_EVENT.formatted("x", "training_program_started", "2021-02-28T16:23:25Z")).put("id", id).encode()));
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.json()).isEqualTo(new JsonObject().put("id", id).put("status", "accepted"));
  }

  @Test
  void cloudEventsInStructuredModeAreAccepted() throws Exception {
    startService();
    Response started = http.post("/v1/event", "application/cloudevents+json; charset=utf-8", Buffer.buffer(
        CLOUD_EVENT.formatted("1", "training_program_started", "2021-02-28T16:23:25Z")));
    assertThat(started.status()).isEqualTo(202);
    assertThat(started.json()).isEqualTo(new JsonObject().put("id", "ce-1").put("status", "accepted"));
    Response finished = http.post("/v1/events", "application/cloudevents-batch+json", Buffer.buffer(batch(
        CLOUD_EVENT.formatted("2", "training_program_finished", "2021-02-28T16:59:43Z"))));
    assertThat(finished.statuses()).containsExactly("accepted");
    assertThat(deliveredExactly(1)).singleElement().satisfies(r -> {
      assertThat(r.userId()).isEqualTo("foo1");
      assertThat(r.message()).contains("36 minutes with HIIT");
    });
  }

  @Test
  void cloudEventsInBinaryModeAreAccepted() throws Exception {
    startService();
    Response response = http.postJson("/v1/event", """
        {"programId": "2352", "programTitle": "HIIT"}""", Map.of(
        "ce-specversion", "1.0", "ce-id", "bin-1", "ce-source", "/apps/android", "ce-type", "training_program_started",
        "ce-time", "2021-02-28T16:23:25Z", "ce-subject", "user%20one", "ce-deviceid", "bar1"));
    assertThat(response.status()).isEqualTo(202);
    assertThat(response.json().getString("id")).isEqualTo("bin-1");
    // No body: an event without data.
    Response launch = http.post("/v1/event", "application/json", Buffer.buffer(), Map.of(
        "ce-specversion", "1.0", "ce-id", "bin-2", "ce-source", "/apps/android", "ce-type", "app_launch",
        "ce-time", "2021-02-28T16:23:00Z", "ce-subject", "user two", "ce-deviceid", "bar1"));
    assertThat(launch.status()).isEqualTo(202);
    // A missing attribute is named as the attribute.
    Response invalid = http.postJson("/v1/event", "{}", Map.of("ce-specversion", "1.0", "ce-id", "bin-3"));
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.json().getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field")))
        .containsExactlyInAnyOrder("source", "type", "subject", "time");
  }

  @Test
  void aStructuredCloudEventMissingAttributesListsThemAll() throws Exception {
    startService();
    Response response = http.post("/v1/event", "application/cloudevents+json", Buffer.buffer("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}"""));
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field")))
        .containsExactlyInAnyOrder("specversion", "id", "source", "subject", "time");
    assertThat(http.post("/v1/event", "application/xml", Buffer.buffer("<event/>")).status()).isEqualTo(415);
  }

  @Test
  void aCloudEventAsTheJavaSdkWritesItIsTakenWithTheTypePrefixAndWithoutADevice() throws Exception {
    startService(new JsonObject().put("ingest", new JsonObject()
        .put("cloudEvents", new JsonObject().put("typePrefix", "com.example.fitness."))));
    EventFormat json = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
    // What a producer using the SDK sends: no deviceid extension, a reverse-DNS type, JSON data.
    CloudEvent started = CloudEventBuilder.v1()
        .withId("sdk-1")
        .withSource(URI.create("https://app.example.com/ios"))
        .withType("com.example.fitness.training_program_started")
        .withTime(OffsetDateTime.parse("2021-02-28T17:23:25+01:00"))
        .withSubject("sdk-user")
        .withData("application/json", "{\"programId\": \"2352\", \"programTitle\": \"HIIT\"}".getBytes(UTF_8))
        .build();
    CloudEvent finished = CloudEventBuilder.v1(started)
        .withId("sdk-2")
        .withType("com.example.fitness.training_program_finished")
        .withTime(OffsetDateTime.parse("2021-02-28T16:59:43.250Z"))
        .build();

    Response one = http.post("/v1/event", JsonFormat.CONTENT_TYPE, Buffer.buffer(json.serialize(started)));
    assertThat(one.status()).as(one.body()).isEqualTo(202);
    assertThat(one.json()).isEqualTo(new JsonObject().put("id", "sdk-1").put("status", "accepted"));
    Response batch = http.post("/v1/events", "application/cloudevents-batch+json",
        Buffer.buffer("[").appendBytes(json.serialize(finished)).appendString("]"));
    assertThat(batch.statuses()).containsExactly("accepted");

    // The notification goes to the user, and names no device: the events named none.
    Received congratulation = deliveredExactly(1).get(0);
    assertThat(congratulation.userId()).isEqualTo("sdk-user");
    assertThat(congratulation.message()).contains("36 minutes with HIIT");
    assertThat(congratulation.body().containsKey("deviceId")).isFalse();
  }

  // The user's time zone and language

  @Test
  void theUsersZoneAndLanguageAreTakenInTheThreeFormatsAndAWrongOneIsA400NamingItsField() throws Exception {
    startService();
    Response legacyTold = http.postEvent("""
        {"user_id": "z1", "device_id": "d", "type": "app_launch", "time_stamp": "2026-01-01 10:00:00",
         "time_zone": "Europe/Vienna", "locale": "de-AT"}""");
    Response improvedTold = http.postEvent("""
        {"type": "app_launch", "userId": "z2", "deviceId": "d", "occurredAt": "2026-01-01T11:00:00+01:00",
         "locale": "de"}""");
    Response cloudEventTold = http.postJson("/v1/event", "", Map.of("ce-specversion", "1.0", "ce-id", "z3",
        "ce-source", "/apps/android", "ce-type", "app_launch", "ce-time", "2026-01-01T10:00:00Z", "ce-subject", "z3",
        "ce-timezone", "America/Chicago", "ce-locale", "es-MX"));
    assertThat(List.of(legacyTold, improvedTold, cloudEventTold)).extracting(Response::status)
        .containsExactly(202, 202, 202);

    Response legacyWrong = http.postEvent("""
        {"user_id": "z1", "device_id": "d", "type": "app_launch", "time_stamp": "2026-01-01 10:00:00",
         "time_zone": "Vienna", "locale": "Deutsch (Österreich)"}""");
    Response improvedWrong = http.postEvent("""
        {"type": "app_launch", "userId": "z2", "deviceId": "d", "occurredAt": "2026-01-01T10:00:00Z",
         "timeZone": "Mars/Olympus_Mons", "locale": "x"}""");
    Response cloudEventWrong = http.post("/v1/event", "application/cloudevents+json", Buffer.buffer("""
        {"specversion": "1.0", "id": "z3w", "source": "/apps/ios", "type": "app_launch", "subject": "z3",
         "time": "2026-01-01T10:00:00Z", "timezone": "UTC+99", "locale": "12"}"""));
    assertThat(errorFields(legacyWrong)).containsExactlyInAnyOrder("time_zone", "locale");
    assertThat(errorFields(improvedWrong)).containsExactlyInAnyOrder("timeZone", "locale");
    assertThat(errorFields(cloudEventWrong)).containsExactlyInAnyOrder("timezone", "locale");
    assertThat(improvedWrong.json().getJsonArray("errors").getJsonObject(0).getString("message"))
        .contains("must be a time zone: an IANA id such as \"Europe/Berlin\"");
  }

  static List<String> errorFields(Response response) {
    assertThat(response.status()).as(response.body()).isEqualTo(400);
    return response.json().getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field")).toList();
  }
}
