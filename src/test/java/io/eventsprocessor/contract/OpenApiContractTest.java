package io.eventsprocessor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document itself: it is valid OpenAPI 3.1, its own examples, the API page's (docs/api.md), the README's and the example files match
 * it, and answers of the wrong shape do not (the checker can fail).
 */
class OpenApiContractTest {
  static final OpenApiContract CONTRACT = OpenApiContract.get();
  static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
  static final Map<String, String> PROBLEM = Map.of("Content-Type", "application/problem+json");

  static String problem(int status, String title) {
    return new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
        .put("detail", "what went wrong").put("instance", "/v1/event").encode();
  }

  static Map<String, String> with(Map<String, String> headers, String name, String value) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put(name, value);
    return all;
  }

  // The document

  @Test
  void theDocumentIsOpenApi31AndWhatWillBeServedAsJsonLoadsToo() throws IOException {
    JsonObject document = CONTRACT.document();
    assertThat(document.getString("openapi")).isEqualTo("3.1.0");
    assertThat(document.getString("jsonSchemaDialect")).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    // GET /openapi.json will serve the YAML converted to JSON: that JSON is the same valid document.
    byte[] yaml = Files.readAllBytes(Path.of("src/main/resources", OpenApiContract.RESOURCE));
    String json = OpenApiContract.readYaml(yaml).encode();
    assertThat(OpenApiContract.load(new JsonObject(json)).document()).isEqualTo(document);
  }

  @Test
  void aDocumentThatIsNotValidOpenApiOrWithASchemaThatIsNotJsonSchemaIsRefused() {
    JsonObject broken = CONTRACT.document();
    broken.getJsonObject("paths").getJsonObject("/health").getJsonObject("get").put("responses", "none");
    assertThatThrownBy(() -> OpenApiContract.load(broken)).hasMessageContaining("is not valid OpenAPI 3.1");

    JsonObject misspelt = CONTRACT.document();
    misspelt.getJsonObject("components").getJsonObject("schemas").getJsonObject("Identifier").put("type", "strin");
    assertThatThrownBy(() -> OpenApiContract.load(misspelt))
        .hasMessageContaining("not JSON Schema 2020-12").hasMessageContaining("#/components/schemas/Identifier");

    JsonObject dangling = CONTRACT.document();
    dangling.getJsonObject("components").getJsonObject("schemas").getJsonObject("ProgramId")
        .put("$ref", "#/components/schemas/Nothing");
    assertThatThrownBy(() -> OpenApiContract.load(dangling)).hasMessageContaining("Nothing");
  }

  @Test
  void everyExampleInTheDocumentMatchesItsSchema() {
    List<String> checked = new ArrayList<>();
    List<String> violations = new ArrayList<>();
    collectExamples(CONTRACT.resolved(), "#", checked, violations);
    assertThat(violations).isEmpty();
    // Media types' examples and schemas' examples both were found (a walk that finds nothing proves nothing).
    assertThat(checked).anyMatch(p -> p.contains("/content/application~1problem+json/examples/"))
        .anyMatch(p -> p.contains("/requestBody/content/application~1cloudevents+json/examples/"))
        .anyMatch(p -> p.startsWith("#/components/schemas/Timestamp/examples/"))
        .hasSizeGreaterThan(20);
  }

  /** Media type objects (a schema and named examples) and schemas (an array of examples), at any depth. */
  static void collectExamples(JsonObject node, String pointer, List<String> checked, List<String> violations) {
    if (node.getValue("schema") instanceof JsonObject schema && node.getValue("examples") instanceof JsonObject named) {
      for (String name : named.fieldNames()) {
        String at = pointer + "/examples/" + name;
        checked.add(at);
        violations.addAll(CONTRACT.schemaViolations(schema, named.getJsonObject(name).getValue("value"), at));
      }
    }
    if (node.getValue("examples") instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        String at = pointer + "/examples/" + i;
        checked.add(at);
        violations.addAll(CONTRACT.schemaViolations(node, list.getValue(i), at));
      }
    }
    for (String key : node.fieldNames()) {
      String at = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
      if (node.getValue(key) instanceof JsonObject child) {
        collectExamples(child, at, checked, violations);
      } else if (node.getValue(key) instanceof JsonArray array) {
        for (int i = 0; i < array.size(); i++) {
          if (array.getValue(i) instanceof JsonObject child) {
            collectExamples(child, at + "/" + i, checked, violations);
          }
        }
      }
    }
  }

  // The example files and the README

  @Test
  void everyExampleEventFileIsAnEventTheDocumentAccepts() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Path.of("src/test/resources/examples"))) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    assertThat(files).hasSize(10);
    for (Path file : files) {
      String event = Files.readString(file);
      assertThat(CONTRACT.requestViolations("postEvent", "application/json", Map.of(), event)).as(file.toString()).isEmpty();
      assertThat(CONTRACT.requestViolations("postEvents", "application/json", Map.of(), "[" + event + "]"))
          .as(file.toString()).isEmpty();
    }
  }

  /**
   * Every JSON example of the API's page (docs/api.md) and of the README: each fenced JSON block (events, a batch and
   * its answer, a problem), each inline answer such as {@code 202 {"id":"…","status":"accepted"}}, and the
   * binary-mode curl command. The notification, which this service sends to another one, is in docs/delivery.md:
   * not part of this API.
   */
  @Test
  void theDocsExamplesMatchTheDocument() throws IOException {
    String readme = Files.readString(Path.of("docs/api.md")) + "\n" + Files.readString(Path.of("README.md"));
    String publicApi = readme;
    Map<String, Integer> kinds = new LinkedHashMap<>();
    JsonArray batch = null;
    JsonObject batchAnswer = null;

    Matcher block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    while (block.find()) {
      String text = block.group(1);
      Object json = io.vertx.core.json.Json.decodeValue(text);
      String kind;
      if (json instanceof JsonArray array) {
        kind = "batch";
        batch = array;
      } else if (json instanceof JsonObject object && object.containsKey("results")) {
        kind = "batch answer";
        batchAnswer = object;
        assertThat(CONTRACT.responseViolations("postEvents", 200, JSON, text)).as(text).isEmpty();
      } else if (json instanceof JsonObject object && object.containsKey("title")) {
        kind = "problem";
        assertThat(CONTRACT.responseViolations("postEvent", object.getInteger("status"), PROBLEM, text)).as(text).isEmpty();
      } else if (json instanceof JsonObject object && object.containsKey("kind")) {
        kind = "notification (sent to the notification service: not this API)";
      } else {
        kind = "event";
        assertThat(CONTRACT.requestViolations("postEvent", "application/json", Map.of(), text)).as(text).isEmpty();
      }
      kinds.merge(kind, 1, Integer::sum);
    }
    assertThat(kinds).containsEntry("event", 2).containsEntry("batch", 1).containsEntry("batch answer", 1)
        .containsEntry("problem", 1);

    // The README's batch holds an invalid event on purpose: exactly the events its answer rejects fail the schema.
    assertThat(batch).isNotNull();
    assertThat(batchAnswer).isNotNull();
    for (int i = 0; i < batch.size(); i++) {
      String status = batchAnswer.getJsonArray("results").getJsonObject(i).getString("status");
      List<String> violations = CONTRACT.componentViolations("Event", batch.getValue(i));
      assertThat(violations).as("event %d of the README's batch, answered %s", i, status)
          .matches(v -> status.equals("rejected") != v.isEmpty());
    }

    // Answers written inline: `202 {"id":"…","status":"accepted"}`, `200 {"status":"UP"}`.
    Matcher inline = Pattern.compile("`(\\d{3}) (\\{[^`]*})`").matcher(publicApi);
    int answers = 0;
    while (inline.find()) {
      int status = Integer.parseInt(inline.group(1));
      String body = inline.group(2);
      String operation = new JsonObject(body).getString("status", "").equals("UP") ? "getHealth" : "postEvent";
      assertThat(CONTRACT.responseViolations(operation, status, JSON, body)).as(inline.group()).isEmpty();
      answers++;
    }
    assertThat(answers).isGreaterThanOrEqualTo(3);

    // The binary-mode curl command: its headers and its data.
    Matcher curl = Pattern.compile("```sh\\n(curl[^`]*?ce-specversion[^`]*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(curl.find()).as("the binary-mode example of docs/api.md").isTrue();
    Map<String, String> headers = new LinkedHashMap<>();
    Matcher header = Pattern.compile("-H '([^:']+): ([^']*)'").matcher(curl.group(1));
    while (header.find()) {
      headers.put(header.group(1), header.group(2));
    }
    Matcher data = Pattern.compile("-d '([^']*)'").matcher(curl.group(1));
    assertThat(data.find()).isTrue();
    assertThat(headers).containsKeys("Content-Type", "ce-specversion", "ce-subject");
    assertThat(CONTRACT.requestViolations("postEvent", headers.get("Content-Type"), headers, data.group(1))).isEmpty();
  }

  // Requests the service refuses, the document refuses too

  @Test
  void eventsTheServiceRejectsDoNotMatchTheDocument() {
    Map<String, String> invalid = new LinkedHashMap<>();
    invalid.put("improved without userId", """
        {"type": "app_launch", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""");
    invalid.put("improved with a time without offset", """
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00"}""");
    invalid.put("improved with a type that is no identifier", """
        {"type": "App-Launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""");
    invalid.put("improved training event without programId", """
        {"type": "training_program_started", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z",
         "data": {"programTitle": "Yoga"}}""");
    invalid.put("improved with a blank userId", """
        {"type": "app_launch", "userId": "  ", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""");
    invalid.put("improved with a userId of 129 characters", """
        {"type": "app_launch", "userId": "%s", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}"""
        .formatted("u".repeat(129)));
    invalid.put("legacy with an ISO time_stamp", """
        {"user_id": "u", "device_id": "d", "type": "app_launch", "time_stamp": "2021-02-28T16:22:00Z"}""");
    invalid.put("legacy training event without training_program_id", """
        {"user_id": "u", "device_id": "d", "type": "training_program_finished", "time_stamp": "2021-02-28 16:22:00"}""");
    invalid.put("CloudEvent of another specversion", """
        {"specversion": "0.3", "id": "1", "source": "/s", "type": "app_launch", "time": "2021-02-28T16:22:00Z",
         "subject": "u", "deviceid": "d"}""");
    invalid.put("CloudEvent with data_base64", """
        {"specversion": "1.0", "id": "1", "source": "/s", "type": "app_launch", "time": "2021-02-28T16:22:00Z",
         "subject": "u", "deviceid": "d", "data_base64": "e30="}""");
    invalid.put("CloudEvent without subject", """
        {"specversion": "1.0", "id": "1", "source": "/s", "type": "app_launch", "time": "2021-02-28T16:22:00Z",
         "deviceid": "d"}""");
    invalid.put("a duplicated key", """
        {"type": "app_launch", "userId": "u", "userId": "v", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""");
    invalid.put("not JSON", "{\"type\": ");
    invalid.put("an array", "[]");
    invalid.put("null", "null");
    invalid.put("nothing", "");
    invalid.forEach((what, body) -> assertThat(CONTRACT.requestViolations("postEvent", "application/json", Map.of(), body))
        .as(what).isNotEmpty());

    assertThat(CONTRACT.requestViolations("postEvents", "application/json", Map.of(), "[]")).isNotEmpty();
    assertThat(CONTRACT.requestViolations("postEvents", "application/json", Map.of(), "{}")).isNotEmpty();
    assertThat(CONTRACT.requestViolations("postEvent", "text/plain", Map.of(), "{}"))
        .singleElement().asString().contains("is not one of");
    // A CloudEvents content type reads any object as a CloudEvent.
    assertThat(CONTRACT.requestViolations("postEvent", "application/cloudevents+json", Map.of(), """
        {"type": "app_launch", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""")).isNotEmpty();
    // Binary mode: a missing attribute header.
    assertThat(CONTRACT.requestViolations("postEvent", "application/json", Map.of("ce-specversion", "1.0", "ce-id", "1",
        "ce-source", "/s", "ce-type", "app_launch", "ce-time", "2021-02-28T16:22:00Z", "ce-deviceid", "d"), ""))
        .anyMatch(v -> v.contains("subject"));
  }

  @Test
  void eventsTheServiceAcceptsMatchTheDocument() {
    List<String> valid = List.of(
        // A trailing comma, as the legacy app sends it; unknown fields are kept as data.
        """
        {"user_id": "u", "device_id": "d", "type": "app_launch", "time_stamp": "2021-02-28 16:22:00", "os": "ios",}""",
        """
        {"type": "workout_rated", "userId": "u", "deviceId": "d", "occurredAt": "2021-02-28T18:22:00.5+02:00",
         "sentAt": "2021-02-28T16:22:01Z", "data": {"stars": 5, "tags": ["hard"]}, "appVersion": "2.0"}""",
        """
        {"specversion": "1.0", "id": "1", "source": "/s", "type": "training_program_paused",
         "time": "2021-02-28T16:22:00Z", "subject": "u", "deviceid": "d", "datacontenttype": "application/json",
         "data": {"programId": "p"}}""");
    for (String event : valid) {
      assertThat(CONTRACT.requestViolations("postEvent", "application/json", Map.of(), event)).as(event).isEmpty();
    }
    assertThat(CONTRACT.requestViolations("postEvent", "application/json; charset=utf-8",
        Map.of("ce-specversion", "1.0", "ce-id", "1", "ce-source", "/s", "ce-type", "app_launch",
            "ce-time", "2021-02-28T16:22:00Z", "ce-subject", "user%20one", "ce-deviceid", "d"), "")).isEmpty();
  }

  // Answers of the wrong shape fail

  @Test
  void anAcceptedAnswerWithoutStatusOrWithAnotherStatusFails() {
    assertThat(CONTRACT.responseViolations("postEvent", 202, JSON, "{\"id\": \"e1\", \"status\": \"accepted\"}")).isEmpty();
    assertThat(CONTRACT.responseViolations("postEvent", 202, JSON, "{\"id\": \"e1\"}"))
        .anyMatch(v -> v.contains("status"));
    assertThat(CONTRACT.responseViolations("postEvent", 202, JSON, "{\"id\": \"e1\", \"status\": \"duplicate\"}"))
        .isNotEmpty();
    assertThat(CONTRACT.responseViolations("postEvent", 200, JSON, "{\"status\": \"duplicate\"}"))
        .anyMatch(v -> v.contains("id"));
    assertThat(CONTRACT.responseViolations("postEvent", 202, JSON, "not json")).isNotEmpty();
    assertThat(CONTRACT.responseViolations("postEvent", 202, PROBLEM, "{\"id\": \"e1\", \"status\": \"accepted\"}"))
        .singleElement().asString().contains("Content-Type");
  }

  @Test
  void aProblemWithoutTitleOrWithAnotherStatusOrAsPlainJsonFails() {
    assertThat(CONTRACT.responseViolations("postEvent", 404, PROBLEM, problem(404, "Not Found"))).isEmpty();
    JsonObject withoutTitle = new JsonObject(problem(404, "Not Found"));
    withoutTitle.remove("title");
    assertThat(CONTRACT.responseViolations("postEvent", 404, PROBLEM, withoutTitle.encode()))
        .anyMatch(v -> v.contains("title"));
    assertThat(CONTRACT.responseViolations("postEvent", 404, PROBLEM, problem(400, "Bad Request"))).isNotEmpty();
    assertThat(CONTRACT.responseViolations("postEvent", 404, JSON, problem(404, "Not Found"))).isNotEmpty();
    // A 400 must name the offending fields.
    assertThat(CONTRACT.responseViolations("postEvent", 400, PROBLEM, problem(400, "Bad Request")))
        .anyMatch(v -> v.contains("errors"));
    // An undocumented status falls to "default", a problem: an empty 204 is not one.
    assertThat(CONTRACT.responseViolations("postEvent", 204, Map.of(), "")).isNotEmpty();
  }

  @Test
  void aRateLimitOrOutboxAnswerWithoutANumericRetryAfterFails() {
    for (int status : new int[] {429, 503}) {
      String body = problem(status, status == 429 ? "Too Many Requests" : "Service Unavailable");
      assertThat(CONTRACT.responseViolations("postEvent", status, with(PROBLEM, "Retry-After", "5"), body)).isEmpty();
      assertThat(CONTRACT.responseViolations("postEvent", status, PROBLEM, body))
          .containsExactly("header Retry-After is required");
      assertThat(CONTRACT.responseViolations("postEvent", status, with(PROBLEM, "retry-after", "soon"), body))
          .singleElement().asString().contains("not an integer");
      assertThat(CONTRACT.responseViolations("postEvent", status, with(PROBLEM, "Retry-After", "0"), body)).isNotEmpty();
    }
  }

  @Test
  void anUnauthorizedAnswerWithoutWwwAuthenticateFails() {
    String body = problem(401, "Unauthorized");
    assertThat(CONTRACT.responseViolations("postEvents", 401, with(PROBLEM, "WWW-Authenticate", "Bearer"), body)).isEmpty();
    assertThat(CONTRACT.responseViolations("postEvents", 401, PROBLEM, body))
        .containsExactly("header WWW-Authenticate is required");
    assertThat(CONTRACT.responseViolations("postEvents", 401, with(PROBLEM, "WWW-Authenticate", "Basic"), body))
        .isNotEmpty();
  }

  @Test
  void aBatchAnswerWithAResultOfTheWrongShapeFails() {
    String good = """
        {"results": [{"index": 0, "id": "e1", "status": "accepted"},
                     {"index": 1, "status": "rejected", "errors": [{"field": "userId", "message": "is required"}]}]}""";
    assertThat(CONTRACT.responseViolations("postEvents", 200, JSON, good)).isEmpty();
    for (String bad : List.of(
        "{\"results\": [{\"index\": 0, \"status\": \"rejected\"}]}",
        "{\"results\": [{\"index\": 0, \"status\": \"accepted\"}]}",
        "{\"results\": [{\"index\": -1, \"id\": \"e1\", \"status\": \"accepted\"}]}",
        "{\"results\": [{\"index\": 0, \"id\": \"e1\", \"status\": \"taken\"}]}",
        "{\"results\": [{\"index\": 0, \"status\": \"rejected\", \"errors\": [{\"field\": \"userId\"}]}]}",
        "[{\"index\": 0, \"id\": \"e1\", \"status\": \"accepted\"}]")) {
      assertThat(CONTRACT.responseViolations("postEvents", 200, JSON, bad)).as(bad).isNotEmpty();
    }
    // A batch's 429 is a problem that may carry the results.
    JsonObject limited = new JsonObject(problem(429, "Too Many Requests"))
        .put("results", new JsonArray().add(new JsonObject().put("index", 0).put("id", "e1").put("status", "rate_limited")));
    assertThat(CONTRACT.responseViolations("postEvents", 429, with(PROBLEM, "Retry-After", "1"), limited.encode())).isEmpty();
    limited.getJsonArray("results").getJsonObject(0).remove("id");
    assertThat(CONTRACT.responseViolations("postEvents", 429, with(PROBLEM, "Retry-After", "1"), limited.encode()))
        .isNotEmpty();
  }

  @Test
  void requestsThatMatchNoOperationMustBeAnswered404Or405() {
    String notFound = problem(404, "Not Found");
    String notAllowed = problem(405, "Method Not Allowed");
    assertThat(CONTRACT.check("GET", "/v1/nothing", 404, PROBLEM, notFound).violations()).isEmpty();
    assertThat(CONTRACT.check("GET", "/v1/event", 405, with(PROBLEM, "Allow", "POST"), notAllowed).violations()).isEmpty();
    assertThat(CONTRACT.check("DELETE", "/health?x=1", 405, with(PROBLEM, "Allow", "GET, HEAD"), notAllowed).violations())
        .isEmpty();
    assertThat(CONTRACT.check("GET", "/v1/event", 405, PROBLEM, notAllowed).violations())
        .containsExactly("header Allow is required");
    assertThat(CONTRACT.check("GET", "/v1/nothing", 200, JSON, "{}").violations()).isNotEmpty();
    assertThat(CONTRACT.check("GET", "/v1/event", 404, PROBLEM, notFound).violations()).isNotEmpty();
    assertThat(CONTRACT.check("GET", "/v1/nothing", 405, PROBLEM, notAllowed).violations()).isNotEmpty();
    assertThat(CONTRACT.check("POST", "/v1/event", 202, JSON, "{\"id\": \"e1\", \"status\": \"accepted\"}"))
        .satisfies(c -> {
          assertThat(c.operationId()).isEqualTo("postEvent");
          assertThat(c.response()).isEqualTo("202");
          assertThat(c.conforms()).isTrue();
        });
  }
}
