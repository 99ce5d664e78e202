package io.eventsprocessor.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventDecoderTest {
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  /** As the program events declare them: the decoder knows data fields from the declarations alone. */
  static final DataField PROGRAM_ID = DataField.required("programId", 128).legacy("training_program_id");
  static final DataField PROGRAM_TITLE = DataField.optional("programTitle", 256).legacy("training_program_title");
  static final EventDecoder DECODER = new EventDecoder(List.of(
      EventSchema.of("app_launch"),
      EventSchema.of("training_program_started", PROGRAM_ID, PROGRAM_TITLE),
      EventSchema.of("training_program_finished", PROGRAM_ID, PROGRAM_TITLE)));

  static Decoded decode(String json) {
    return DECODER.decode(Json.decodeValue(json), NOW);
  }

  static Event valid(String json) {
    Decoded decoded = decode(json);
    assertThat(decoded).isInstanceOf(Decoded.Valid.class);
    return ((Decoded.Valid) decoded).event();
  }

  static List<FieldError> errors(String json) {
    Decoded decoded = decode(json);
    assertThat(decoded).isInstanceOf(Decoded.Invalid.class);
    return ((Decoded.Invalid) decoded).errors();
  }

  @Test
  void decodesTheTasksLegacyEventsByteForByte() {
    Event started = valid("""
        {
         "user_id": "foo1",
         "device_id": "bar1",
         "type": "training_program_started",
         "training_program_id": "2352",
         "training_program_title": "7 Minutes of HIIT Training",
         "time_stamp": "2021-02-28 16:23:25"
        }""");
    assertThat(started.userId()).isEqualTo("foo1");
    assertThat(started.deviceId()).isEqualTo("bar1");
    assertThat(started.type()).isEqualTo("training_program_started");
    assertThat(started.occurredAt()).isEqualTo(Instant.parse("2021-02-28T16:23:25Z"));
    assertThat(started.receivedAt()).isEqualTo(NOW);
    assertThat(started.data()).containsEntry("programId", "2352").containsEntry("programTitle", "7 Minutes of HIIT Training");

    Event launch = valid("""
        {"user_id": "foo2", "device_id": "bar2", "type": "app_launch", "time_stamp": "2021-02-28 16:22:52"}""");
    assertThat(launch.type()).isEqualTo("app_launch");
    assertThat(launch.data()).isEmpty();
  }

  @Test
  void aLegacyEventSentTwiceGetsTheSameIdInAnyKeyOrder() {
    String a = valid("""
        {"user_id": "foo2", "device_id": "bar2", "type": "app_launch", "time_stamp": "2021-02-28 16:22:52"}""").id();
    String b = valid("""
        {"time_stamp":"2021-02-28 16:22:52","type":"app_launch","device_id":"bar2","user_id":"foo2"}""").id();
    String other = valid("""
        {"user_id": "foo2", "device_id": "bar2", "type": "app_launch", "time_stamp": "2021-02-28 16:22:53"}""").id();
    assertThat(a).isEqualTo(b).isNotEqualTo(other);
  }

  @Test
  void decodesTheImprovedFormat() {
    Event event = valid("""
        {"id": "9b2f4c1e-5f7a-4c2e-9a59-2f1b8d3c7e10", "type": "training_program_finished", "userId": "foo1",
         "deviceId": "bar1", "occurredAt": "2021-02-28T18:59:43+02:00",
         "data": {"programId": "2352", "programTitle": "7 Minutes of HIIT Training"}}""");
    assertThat(event.id()).isEqualTo("9b2f4c1e-5f7a-4c2e-9a59-2f1b8d3c7e10");
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2021-02-28T16:59:43Z"));
    assertThat(event.dataString("programId")).isEqualTo("2352");
  }

  @Test
  void anImprovedEventWithoutIdGetsOneDerivedFromItsContent() {
    String json = """
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43Z"}""";
    assertThat(valid(json).id()).isNotBlank().isEqualTo(valid(json).id());
  }

  @Test
  void anUnknownTypeIsWellFormedButUnsupported() {
    Decoded decoded = decode("""
        {"id": "x", "type": "workout_rated", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43Z",
         "data": {"stars": 5}}""");
    assertThat(decoded).isEqualTo(new Decoded.Valid(((Decoded.Valid) decoded).event(), false));
    assertThat(((Decoded.Valid) decoded).event().data()).containsEntry("stars", 5);
  }

  @Test
  void aKnownTypeIsSupported() {
    assertThat(decode("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43Z"}"""))
        .isInstanceOfSatisfying(Decoded.Valid.class, v -> assertThat(v.supported()).isTrue());
  }

  @Test
  void namesEveryMissingField() {
    assertThat(errors("{}")).containsExactlyInAnyOrder(
        new FieldError("type", "is required"),
        new FieldError("userId", "is required"),
        new FieldError("deviceId", "is required"),
        new FieldError("occurredAt", "is required"));
    assertThat(errors("""
        {"user_id": "foo2"}""")).containsExactlyInAnyOrder(
        new FieldError("type", "is required"),
        new FieldError("device_id", "is required"),
        new FieldError("time_stamp", "is required"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{'type': 7, 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2021-02-28T16:59:43Z'}           | type       | must be a string",
      "{'type': 'app_launch', 'userId': '', 'deviceId': 'd', 'occurredAt': '2021-02-28T16:59:43Z'} | userId     | must not be blank",
      "{'type': 'app_launch', 'userId': 'u', 'deviceId': ['d'], 'occurredAt': '2021-02-28T16:59:43Z'} | deviceId | must be a string",
      "{'type': 'app_launch', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2021-02-28 16:59:43'}  | occurredAt | must be an RFC 3339 timestamp with a zone or offset, e.g. \"2021-02-28T16:59:43Z\"",
      "{'type': 'app_launch', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2021-02-28T16:59:43'}  | occurredAt | must be an RFC 3339 timestamp with a zone or offset, e.g. \"2021-02-28T16:59:43Z\"",
      "{'type': 'App Launch', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2021-02-28T16:59:43Z'} | type       | must be a lower-case identifier of letters, digits and underscores, e.g. app_launch",
      "{'type': 'app_launch', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2021-02-28T16:59:43Z', 'data': 5} | data | must be a JSON object",
      "{'type': 'training_program_started', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2021-02-28T16:59:43Z'} | data.programId | is required for training_program_started",
      "{'type': 'training_program_started', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2021-02-28T16:59:43Z', 'data': {'programId': 2352}} | data.programId | must be a string",
      "{'user_id': 'u', 'device_id': 'd', 'type': 'training_program_started', 'time_stamp': '2021-02-28 16:23:25'} | training_program_id | is required for training_program_started",
      "{'user_id': 'u', 'device_id': 'd', 'type': 'app_launch', 'time_stamp': '2021-02-30 16:23:25'} | time_stamp | must be a UTC time as \"yyyy-MM-dd HH:mm:ss\", e.g. \"2021-02-28 16:22:52\"",
      "{'user_id': 'u', 'device_id': 'd', 'type': 'app_launch', 'time_stamp': '2021-02-28T16:23:25Z'} | time_stamp | must be a UTC time as \"yyyy-MM-dd HH:mm:ss\", e.g. \"2021-02-28 16:22:52\"",
  })
  void namesTheOffendingFieldAndWhy(String json, String field, String message) {
    assertThat(errors(json.replace('\'', '"'))).containsExactly(new FieldError(field, message));
  }

  @Test
  void limitsTheLengthOfIds() {
    String longId = "x".repeat(129);
    assertThat(errors("{\"type\": \"app_launch\", \"userId\": \"" + longId + "\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-02-28T16:59:43Z\"}"))
        .containsExactly(new FieldError("userId", "must be at most 128 characters"));
  }

  @Test
  void rejectsADocumentThatIsNotAnObject() {
    assertThat(DECODER.decode(new JsonArray().add(new JsonObject()), NOW))
        .isEqualTo(new Decoded.Invalid(List.of(new FieldError("$", "the event must be a JSON object"))));
    assertThat(DECODER.decode("app_launch", NOW)).isInstanceOf(Decoded.Invalid.class);
    assertThat(DECODER.decode(null, NOW)).isInstanceOf(Decoded.Invalid.class);
  }

  // Clock skew

  @Test
  void sentAtCorrectsTheDevicesClockAndKeepsBothTimes() {
    // The device's clock is two hours behind: it sent at 08:00 what the server received at 10:00.
    Decoded decoded = decode("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2026-11-25T07:59:00Z",
         "sentAt": "2026-11-25T08:00:00Z"}""");
    Event event = ((Decoded.Valid) decoded).event();
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-25T09:59:00Z"));
    assertThat(event.deviceOccurredAt()).isEqualTo(Instant.parse("2026-11-25T07:59:00Z"));
    assertThat(event.sentAt()).isEqualTo(Instant.parse("2026-11-25T08:00:00Z"));
    assertThat(event.receivedAt()).isEqualTo(NOW);
    assertThat(((Decoded.Valid) decoded).clamped()).isFalse();
  }

  @Test
  void withoutSentAtTheDevicesTimeIsTakenAsItIs() {
    Event event = valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2026-11-25T07:59:00Z"}""");
    assertThat(event.occurredAt()).isEqualTo(event.deviceOccurredAt()).isEqualTo(Instant.parse("2026-11-25T07:59:00Z"));
    assertThat(event.sentAt()).isNull();
  }

  @Test
  void anEventStampedBeyondTheMarginInTheFutureIsClampedToTheReceiveTime() {
    Decoded ahead = decode("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2026-11-25T10:05:01Z"}""");
    assertThat(ahead).isInstanceOfSatisfying(Decoded.Valid.class, v -> {
      assertThat(v.clamped()).isTrue();
      assertThat(v.event().occurredAt()).isEqualTo(NOW);
      assertThat(v.event().deviceOccurredAt()).isEqualTo(Instant.parse("2026-11-25T10:05:01Z"));
    });
    Decoded withinMargin = decode("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2026-11-25T10:05:00Z"}""");
    assertThat(withinMargin).isInstanceOfSatisfying(Decoded.Valid.class, v -> {
      assertThat(v.clamped()).isFalse();
      assertThat(v.event().occurredAt()).isEqualTo(Instant.parse("2026-11-25T10:05:00Z"));
    });
    // After correction: sent "at 12:00" by a clock two hours ahead, it happened at 10:00.
    assertThat(decode("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2026-11-25T12:00:00Z",
         "sentAt": "2026-11-25T12:00:00Z"}""")).isInstanceOfSatisfying(Decoded.Valid.class, v -> {
      assertThat(v.clamped()).isFalse();
      assertThat(v.event().occurredAt()).isEqualTo(NOW);
    });
  }

  @Test
  void anEventTakenAtItsOwnStampIsNeitherCorrectedNorClamped() {
    // A file replayed has no receive times: a stamp far in the future, or a sentAt years away, stays as it is.
    Decoded decoded = DECODER.decodeAsStamped(new JsonObject("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2031-01-01T07:59:00Z",
         "sentAt": "2000-01-01T08:00:00Z"}"""));
    assertThat(decoded).isInstanceOfSatisfying(Decoded.Valid.class, v -> {
      assertThat(v.clamped()).isFalse();
      assertThat(v.event().occurredAt()).isEqualTo(Instant.parse("2031-01-01T07:59:00Z"));
      assertThat(v.event().receivedAt()).isEqualTo(v.event().occurredAt());
    });
  }

  @Test
  void aRetryWithAnotherSentAtKeepsItsDerivedId() {
    String first = valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2026-11-25T07:59:00Z",
         "sentAt": "2026-11-25T08:00:00Z"}""").id();
    String retry = valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2026-11-25T07:59:00Z",
         "sentAt": "2026-11-25T08:05:00Z"}""").id();
    assertThat(retry).isEqualTo(first);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{'type': 'app_launch', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '+10000-01-03T00:00:00Z'} | occurredAt",
      "{'type': 'app_launch', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '-0001-01-01T00:00:00Z'} | occurredAt",
      "{'type': 'app_launch', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2026-01-01T00:00:00Z', 'sentAt': '+999999999-12-31T23:59:59Z'} | sentAt",
      "{'type': 'app_launch', 'userId': 'u', 'deviceId': 'd', 'occurredAt': '2026-01-01T00:00:00Z', 'sentAt': 'now'} | sentAt",
      "{'user_id': 'u', 'device_id': 'd', 'type': 'app_launch', 'time_stamp': '+999999999-12-31 23:59:59'} | time_stamp",
  })
  void timesOutsideFourDigitYearsAreRejected(String json, String field) {
    assertThat(errors(json.replace('\'', '"'))).extracting(FieldError::field).containsExactly(field);
  }

  @Test
  void aSentAtCorrectionThatWouldMoveTheTimeOutOfFourDigitYearsIsRejectedNamingSentAt() {
    // A device that claims to have sent it in year 9999: its event of year 1 would move to before year 0000.
    assertThat(errors("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "0001-01-01T00:00:00Z",
         "sentAt": "9999-01-01T00:00:00Z"}""")).containsExactly(new FieldError("sentAt",
        "is too far from the server's clock: occurredAt corrected by it would fall outside the years 0000-9999"));
    assertThat(errors(new JsonObject(CLOUD_EVENT).put("time", "0001-01-01T00:00:00Z")
        .put("sentat", "9999-01-01T00:00:00Z").encode())).containsExactly(new FieldError("sentat",
        "is too far from the server's clock: time corrected by it would fall outside the years 0000-9999"));
    // An offset can move the first minutes of year 0000 before it.
    assertThat(errors("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "0000-01-01T00:30:00+01:00"}"""))
        .containsExactly(new FieldError("occurredAt", "must fall within the years 0000-9999 in UTC"));
    // The first instant of the range is taken, and so is a correction that stays in it.
    assertThat(valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "0000-01-01T00:00:00Z"}""").occurredAt())
        .isEqualTo(Instant.parse("0000-01-01T00:00:00Z"));
    assertThat(valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "0001-01-01T00:00:00Z",
         "sentAt": "2026-11-25T10:00:00Z"}""").occurredAt()).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
  }



  // Limits

  static String improvedWithData(String data) {
    return "{\"type\": \"app_launch\", \"userId\": \"u\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-02-28T16:59:43Z\", \"data\": " + data + "}";
  }

  @Test
  void limitsTheNumberOfFields() {
    String fields = java.util.stream.IntStream.range(0, 95).mapToObj(i -> "\"f" + i + "\": " + i)
        .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
    // 4 envelope fields, data, and its 95: 100 in all.
    assertThat(decode(improvedWithData(fields))).isInstanceOf(Decoded.Valid.class);
    String more = fields.replace("}", ", \"f95\": 95}");
    assertThat(errors(improvedWithData(more)))
        .containsExactly(new FieldError("$", "has more than 100 fields and array elements"));
    assertThat(errors(improvedWithData("{\"list\": [" + "1,".repeat(200) + "1]}")))
        .containsExactly(new FieldError("$", "has more than 100 fields and array elements"));
  }

  @Test
  void limitsTheNestingOfData() {
    assertThat(decode(improvedWithData("{\"a\": {\"b\": {\"c\": {\"d\": {}}}}}"))).isInstanceOf(Decoded.Valid.class);
    assertThat(errors(improvedWithData("{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {}}}}}}")))
        .containsExactly(new FieldError("data.a.b.c.d.e", "nests too deep: at most 6 levels of objects and arrays per event, the event itself included"));
    assertThat(decode(improvedWithData("{\"a\": [[[[1]]]]}"))).isInstanceOf(Decoded.Valid.class);
    assertThat(errors(improvedWithData("{\"a\": [[[[[1]]]]]}")))
        .extracting(FieldError::field).containsExactly("data.a[0][0][0][0]");
  }

  @Test
  void limitsEveryStringAndFieldName() {
    assertThat(errors(improvedWithData("{\"note\": \"" + "x".repeat(1025) + "\"}")))
        .containsExactly(new FieldError("data.note", "must be at most 1024 characters"));
    assertThat(decode(improvedWithData("{\"note\": \"" + "x".repeat(1024) + "\"}"))).isInstanceOf(Decoded.Valid.class);
    assertThat(errors(improvedWithData("{\"" + "n".repeat(65) + "\": 1}")))
        .containsExactly(new FieldError("data", "has a field name longer than 64 characters"));
    assertThat(errors("{\"user_id\": \"u\", \"device_id\": \"d\", \"type\": \"app_launch\", "
        + "\"time_stamp\": \"2021-02-28 16:23:25\", \"training_program_title\": \"" + "t".repeat(257) + "\"}"))
        .containsExactly(new FieldError("training_program_title", "must be at most 256 characters"));
  }

  // CloudEvents

  static final String CLOUD_EVENT = """
      {"specversion": "1.0", "id": "ce-1", "source": "/apps/ios", "type": "training_program_finished",
       "time": "2021-02-28T16:59:43Z", "subject": "foo1", "deviceid": "bar1", "datacontenttype": "application/json",
       "data": {"programId": "2352", "programTitle": "7 Minutes of HIIT Training"}}""";

  @Test
  void decodesAStructuredCloudEvent() {
    Event event = valid(CLOUD_EVENT);
    assertThat(event).isEqualTo(new Event("ce-1", "training_program_finished", "foo1", "bar1",
        Instant.parse("2021-02-28T16:59:43Z"), NOW,
        java.util.Map.of("programId", "2352", "programTitle", "7 Minutes of HIIT Training")));
    Decoded asCloudEvent = DECODER.decode(Json.decodeValue(CLOUD_EVENT), "application/cloudevents+json", NOW);
    assertThat(asCloudEvent).isEqualTo(decode(CLOUD_EVENT));
  }

  @Test
  void theCloudEventsMediaTypeReadsTheDocumentAsACloudEventWhateverItHolds() {
    Decoded decoded = DECODER.decode(Json.decodeValue("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43Z"}"""),
        "application/cloudevents+json", NOW);
    assertThat(decoded).isInstanceOfSatisfying(Decoded.Invalid.class, invalid -> assertThat(invalid.errors())
        .extracting(FieldError::field).containsExactlyInAnyOrder("specversion", "id", "source", "subject", "time"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      specversion     | "0.3"                  | specversion     | must be "1.0"
      datacontenttype | "text/plain"           | datacontenttype | must be application/json: data is read as a JSON object
      data_base64     | "AAEC"                 | data_base64     | is not accepted: send data as a JSON object
      subject         | 7                      | subject         | must be a string
      time            | "2021-02-28 16:59:43"  | time            | must be an RFC 3339 timestamp with a zone or offset, e.g. "2021-02-28T16:59:43Z"
      data            | {"programTitle": "x"}  | data.programId  | is required for training_program_finished
      """)
  void namesTheOffendingCloudEventsAttribute(String attribute, String value, String field, String message) {
    JsonObject event = new JsonObject(CLOUD_EVENT).put(attribute, Json.decodeValue(value));
    assertThat(errors(event.encode())).containsExactly(new FieldError(field, message));
  }

  @Test
  void aCloudEventMayCarrySentAtAsAnExtension() {
    Event event = valid(new JsonObject(CLOUD_EVENT).put("time", "2026-11-25T07:59:00Z")
        .put("sentat", "2026-11-25T08:00:00Z").encode());
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-25T09:59:00Z"));
  }

  @Test
  void aCloudEventWithoutDeviceidIsAnEventOfNoDevice() {
    JsonObject event = new JsonObject(CLOUD_EVENT);
    event.remove("deviceid");
    assertThat(valid(event.encode()).deviceId()).isNull();
    // The other formats still require theirs.
    assertThat(errors("""
        {"type": "app_launch", "userId": "u", "occurredAt": "2021-02-28T16:59:43Z"}"""))
        .containsExactly(new FieldError("deviceId", "is required"));
  }

  static final EventDecoder WITH_PREFIX = new EventDecoder(List.of(EventSchema.of("app_launch")),
      EventDecoder.DEFAULT_FUTURE_MARGIN, "com.example.fitness.");

  static String cloudEventOfType(String type) {
    return """
        {"specversion": "1.0", "id": "p-1", "source": "/apps/ios", "type": "%s", "time": "2021-02-28T16:59:43Z",
         "subject": "foo1"}""".formatted(type);
  }

  @Test
  void theConfiguredTypePrefixIsTakenOffCloudEventsTypes() {
    Decoded prefixed = WITH_PREFIX.decode(Json.decodeValue(cloudEventOfType("com.example.fitness.app_launch")), NOW);
    assertThat(prefixed).isInstanceOfSatisfying(Decoded.Valid.class, v -> {
      assertThat(v.event().type()).isEqualTo("app_launch");
      assertThat(v.supported()).isTrue();
    });
    // Without the prefix, the type is taken as it is.
    Decoded bare = WITH_PREFIX.decode(Json.decodeValue(cloudEventOfType("app_launch")), NOW);
    assertThat(bare).isInstanceOfSatisfying(Decoded.Valid.class, v -> assertThat(v.event().type()).isEqualTo("app_launch"));
    // Another organisation's reverse-DNS name is not one of ours; the error says what is.
    assertThat(WITH_PREFIX.decode(Json.decodeValue(cloudEventOfType("org.other.app_launch")), NOW))
        .isEqualTo(new Decoded.Invalid(List.of(new FieldError("type", "must be a lower-case identifier of letters, "
            + "digits and underscores, with or without the prefix com.example.fitness., e.g. "
            + "com.example.fitness.app_launch"))));
    // The prefix is not taken off the other formats' types, nor off a CloudEvent when none is configured.
    assertThat(WITH_PREFIX.decode(Json.decodeValue("""
        {"type": "com.example.fitness.app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43Z"}"""),
        NOW)).isInstanceOf(Decoded.Invalid.class);
    assertThat(DECODER.decode(Json.decodeValue(cloudEventOfType("com.example.fitness.app_launch")), NOW))
        .isInstanceOf(Decoded.Invalid.class);
    // The type's own limit applies after the prefix.
    assertThat(WITH_PREFIX.decode(Json.decodeValue(cloudEventOfType("com.example.fitness." + "t".repeat(65))), NOW))
        .isEqualTo(new Decoded.Invalid(List.of(new FieldError("type", "must be at most 64 characters after the prefix"))));
  }

  // The user's time zone and language

  @Test
  void theUsersZoneAndLanguageAreToldByTheImprovedFormatOrByTheOffsetOfItsTime() {
    Event told = valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43Z",
         "timeZone": "Europe/Vienna", "locale": "de-at"}""");
    assertThat(told.timeZone()).isEqualTo("Europe/Vienna");
    assertThat(told.locale()).isEqualTo("de-AT");
    // No zone, but a time with an offset: the offset. UTC, or an offset of zero, tells nothing.
    assertThat(valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T18:59:43+02:00"}""")
        .timeZone()).isEqualTo("+02:00");
    assertThat(valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43+00:00"}""")
        .timeZone()).isNull();
    Event untold = valid("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43Z"}""");
    assertThat(untold.timeZone()).isNull();
    assertThat(untold.locale()).isNull();
  }

  @Test
  void theUsersZoneAndLanguageAreToldByCloudEventsExtensions() {
    Event told = valid("""
        {"specversion": "1.0", "id": "e1", "source": "/apps/ios", "type": "app_launch", "subject": "u",
         "time": "2021-02-28T10:59:43-06:00", "timezone": "America/Chicago", "locale": "es-MX"}""");
    assertThat(told.timeZone()).isEqualTo("America/Chicago");
    assertThat(told.locale()).isEqualTo("es-MX");
    assertThat(valid("""
        {"specversion": "1.0", "id": "e2", "source": "/apps/ios", "type": "app_launch", "subject": "u",
         "time": "2021-02-28T10:59:43-06:00"}""").timeZone()).isEqualTo("-06:00");
  }

  @Test
  void anUnknownZoneOrATagThatIsNoLanguageIsAnErrorNamingTheField() {
    assertThat(errors("""
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:59:43Z",
         "timeZone": "Mars/Olympus_Mons", "locale": "not a tag"}""")).containsExactlyInAnyOrder(
        new FieldError("timeZone", "must be a time zone: an IANA id such as \"Europe/Berlin\", or an offset such as "
            + "\"+02:00\""),
        new FieldError("locale", "must be a BCP 47 language tag, e.g. \"de-AT\" or \"en\""));
    assertThat(errors("""
        {"specversion": "1.0", "id": "e1", "source": "/apps/ios", "type": "app_launch", "subject": "u",
         "time": "2021-02-28T16:59:43Z", "timezone": "UTC+25", "locale": 7}""")).extracting(FieldError::field)
        .containsExactlyInAnyOrder("timezone", "locale");
  }
}
