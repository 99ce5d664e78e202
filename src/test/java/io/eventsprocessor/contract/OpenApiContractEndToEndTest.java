package io.eventsprocessor.contract;

import static io.eventsprocessor.HttpClient.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.eventsprocessor.HttpClient;
import io.eventsprocessor.HttpClient.Response;
import io.eventsprocessor.TestService;
import io.eventsprocessor.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real service, configured four ways (open, write key, JWT, full outbox), provoked into every status the
 * OpenAPI document gives its operations; every answer is checked against the document as it arrives, and the
 * requests against it before they are sent (those the service takes must match it, those it refuses for their
 * content must not). The last test checks that together they saw every documented status of every operation that is
 * served today.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractEndToEndTest {
  static final OpenApiContract CONTRACT = OpenApiContract.get();
  static final String WRITE_KEY = "wk_0123456789abcdef";
  static final int SCENARIOS = 4;
  /** The documented answers seen, as "operationId status"; "* 404" and "path 405" for requests matching no operation. */
  static final Set<String> seen = ConcurrentHashMap.newKeySet();
  static final Set<String> scenariosRun = ConcurrentHashMap.newKeySet();

  @TempDir Path stateDir;

  /** What the document must say of a request before it is sent. */
  enum Request { MATCHES, DOES_NOT_MATCH, NOT_CHECKED }

  /** Checks each answer against the document, fails the test on a violation, and records what was seen. */
  static final HttpClient.Observer RECORDING = (method, path, response) -> {
    OpenApiContract.Checked checked = CONTRACT.check(method.name(), path, response.statusCode(),
        HttpClient.headers(response), response.bodyAsString());
    assertThat(checked.violations()).as("the answer %d to %s %s (%s): %s", response.statusCode(), method, path,
        checked.response(), response.bodyAsString()).isEmpty();
    int query = path.indexOf('?');
    String bare = query < 0 ? path : path.substring(0, query);
    seen.add(checked.operationId() != null ? checked.operationId() + " " + response.statusCode()
        : response.statusCode() == 404 ? "* 404" : bare + " " + response.statusCode());
  };

  TestService start(Vertx vertx, JsonObject overrides) throws Exception {
    TestService service = new TestService(vertx, stateDir).start(overrides);
    service.http.observedBy(RECORDING);
    return service;
  }

  static Response post(HttpClient client, String path, String contentType, String body, Map<String, String> headers,
      Request request) {
    String operationId = CONTRACT.operationId("POST", path);
    if (request != Request.NOT_CHECKED && operationId != null) {
      List<String> violations = CONTRACT.requestViolations(operationId, contentType, headers, body);
      assertThat(violations.isEmpty()).as("POST %s %s %s: the document %s it, %s", path, contentType, body,
          request == Request.MATCHES ? "should accept" : "should refuse", violations)
          .isEqualTo(request == Request.MATCHES);
    }
    return client.post(path, contentType, Buffer.buffer(body), headers);
  }

  static Response post(HttpClient client, String path, String body, Request request) {
    return post(client, path, "application/json", body, Map.of(), request);
  }

  static String launch(String userId, int second) {
    return """
        {"type": "app_launch", "userId": "%s", "deviceId": "d", "occurredAt": "2026-01-01T10:00:%02dZ"}"""
        .formatted(userId, second);
  }

  static String training(String type, String userId, String time) {
    return """
        {"type": "%s", "userId": "%s", "deviceId": "d", "occurredAt": "%s", "data": {"programId": "p"}}"""
        .formatted(type, userId, time);
  }

  static String cloudEvent(String id, String subject) {
    return """
        {"specversion": "1.0", "id": "%s", "source": "/apps/ios", "type": "training_program_started",
         "time": "2021-02-28T16:23:25Z", "subject": "%s", "deviceid": "bar1",
         "data": {"programId": "2352", "programTitle": "HIIT"}}""".formatted(id, subject);
  }

  static String batch(String... events) {
    return "[" + String.join(",", events) + "]";
  }

  @Test
  @Order(1)
  void openServiceAnswersEveryStatusOfTheDocument(Vertx vertx) throws Exception {
    TestService service = start(vertx, new JsonObject()
        .put("http", new JsonObject().put("bodyLimit", 1024).put("batchBodyLimit", 2048).put("batchMaxEvents", 3))
        .put("rateLimit", new JsonObject().put("perUser", new JsonObject().put("eventsPerSecond", 1).put("burst", 2))));
    HttpClient http = service.http;

    // 202 and 200, in every format.
    String legacy = resource("examples/legacy/1-foo2-app-launch.json");
    Response accepted = post(http, "/v1/event", legacy, Request.MATCHES);
    assertThat(accepted.json().getString("status")).isEqualTo("accepted");
    Response duplicate = post(http, "/v1/event", legacy, Request.MATCHES);
    assertThat(duplicate.status()).isEqualTo(200);
    assertThat(post(http, "/v1/event", """
        {"id": "r1", "type": "workout_rated", "userId": "rater", "deviceId": "d", "occurredAt": "2021-02-28T16:30:00Z"}""",
        Request.MATCHES).json().getString("status")).isEqualTo("unsupported");
    assertThat(post(http, "/v1/event", "application/cloudevents+json; charset=utf-8", cloudEvent("ce-1", "ce-user"),
        Map.of(), Request.MATCHES).status()).isEqualTo(202);
    assertThat(post(http, "/v1/event", "application/json", "{\"programId\": \"2352\"}", Map.of("ce-specversion", "1.0",
        "ce-id", "bin-1", "ce-source", "/apps/android", "ce-type", "training_program_started",
        "ce-time", "2021-02-28T16:23:25Z", "ce-subject", "user%20one", "ce-deviceid", "bar1"), Request.MATCHES).status())
        .isEqualTo(202);

    // 400: what the service refuses for its content, the document refuses too.
    assertThat(post(http, "/v1/event", """
        {"type": "app_launch", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""", Request.DOES_NOT_MATCH)
        .status()).isEqualTo(400);
    assertThat(post(http, "/v1/event", "not even JSON", Request.DOES_NOT_MATCH).status()).isEqualTo(400);
    assertThat(post(http, "/v1/event", "application/json", "{}", Map.of("ce-specversion", "1.0", "ce-id", "bin-2"),
        Request.DOES_NOT_MATCH).status()).isEqualTo(400);
    assertThat(post(http, "/v1/events", "[]", Request.DOES_NOT_MATCH).status()).isEqualTo(400);
    assertThat(post(http, "/v1/events", legacy, Request.DOES_NOT_MATCH).status()).isEqualTo(400);

    // 415, 413 (the document cannot say how many bytes: not checked), 404, 405.
    for (String path : List.of("/v1/event", "/v1/events")) {
      assertThat(post(http, path, "text/plain", "[]", Map.of(), Request.DOES_NOT_MATCH).status()).isEqualTo(415);
      assertThat(post(http, path, "{\"padding\": \"" + "x".repeat(3000) + "\"}", Request.NOT_CHECKED).status())
          .isEqualTo(413);
      assertThat(http.request(HttpMethod.GET, path).status()).isEqualTo(405);
    }
    assertThat(post(http, "/v1/events", batch(launch("many", 1), launch("many", 2), launch("many", 3),
        launch("many", 4)), Request.NOT_CHECKED).status()).isEqualTo(413);
    assertThat(http.request(HttpMethod.POST, "/health").status()).isEqualTo(405);
    assertThat(http.request(HttpMethod.GET, "/v1/nothing").status()).isEqualTo(404);
    assertThat(post(http, "/v1/eventz", legacy, Request.NOT_CHECKED).status()).isEqualTo(404);

    // 414 and 431, which close the connection: one connection per request.
    HttpClient closing = new HttpClient(vertx, service.main.httpPort(), false).observedBy(RECORDING);
    for (String path : List.of("/v1/event", "/v1/events")) {
      assertThat(closing.postJson(path + "?" + "q".repeat(5000), "{}").status()).isEqualTo(414);
      assertThat(closing.postJson(path, "{}", Map.of("X-Padding", "p".repeat(9000))).status()).isEqualTo(431);
    }

    // 429 with Retry-After: a burst of 2 events per user.
    Response limited = null;
    for (int i = 0; i < 10 && limited == null; i++) {
      Response response = post(http, "/v1/event", launch("flooder", i), Request.MATCHES);
      limited = response.status() == 429 ? response : null;
    }
    assertThat(limited).as("a 429 for a flooding user").isNotNull();

    // The check can fail: real answers, each spoiled in one way, break the contract.
    JsonObject withoutStatus = accepted.json();
    withoutStatus.remove("status");
    assertThat(CONTRACT.responseViolations("postEvent", 202, Map.of("Content-Type", accepted.contentType()),
        withoutStatus.encode())).isNotEmpty();
    assertThat(CONTRACT.responseViolations("postEvent", 429, Map.of("Content-Type", limited.contentType()),
        limited.body())).containsExactly("header Retry-After is required");
    assertThat(CONTRACT.responseViolations("postEvent", 429, Map.of("Content-Type", "application/json",
        "Retry-After", limited.retryAfter()), limited.body())).isNotEmpty();

    // Batches: 200 with every kind of result (the invalid event is one the document refuses), a CloudEvents batch,
    // and 429 with the results.
    Response mixed = post(http, "/v1/events", batch(resource("examples/legacy/2-foo1-started.json"), """
        {"type": "app_launch", "deviceId": "d", "occurredAt": "2021-02-28T16:22:00Z"}""", """
        {"id": "r2", "type": "workout_rated", "userId": "rater", "deviceId": "d", "occurredAt": "2021-02-28T16:31:00Z"}"""),
        Request.DOES_NOT_MATCH);
    assertThat(mixed.statuses()).containsExactly("accepted", "rejected", "unsupported");
    // foo1's start again (foo2 has spent its burst: a resend costs a token, as the rules judge it after the rate).
    assertThat(post(http, "/v1/events", batch(resource("examples/legacy/2-foo1-started.json"),
        launch("batch-user", 0)), Request.MATCHES).statuses()).containsExactly("duplicate", "accepted");
    assertThat(post(http, "/v1/events", "application/cloudevents-batch+json", batch(cloudEvent("ce-2", "ce-batch")),
        Map.of(), Request.MATCHES).statuses()).containsExactly("accepted");
    Response batchLimited = post(http, "/v1/events", batch(launch("batcher", 0), launch("batcher", 1),
        launch("batcher", 2)), Request.MATCHES);
    assertThat(batchLimited.status()).isEqualTo(429);
    assertThat(batchLimited.statuses()).containsExactly("accepted", "accepted", "rate_limited");

    for (String path : List.of("/health", "/health/live", "/health/ready")) {
      assertThat(http.get(path).status()).as(path).isEqualTo(200);
      assertThat(http.request(HttpMethod.HEAD, path).status()).as(path).isEqualTo(200);
    }
    assertThat(http.get("/openapi.json").status()).isEqualTo(200);
    scenariosRun.add("open");
  }

  @Test
  @Order(2)
  void aWriteKeyServiceAnswers401WithWwwAuthenticate(Vertx vertx) throws Exception {
    TestService service = start(vertx, new JsonObject()
        .put("auth", new JsonObject().put("mode", "writeKey").put("writeKey", WRITE_KEY)));
    String basic = "Basic " + Base64.getEncoder().encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8));
    for (String path : List.of("/v1/event", "/v1/events")) {
      String body = path.equals("/v1/event") ? launch("u", 0) : batch(launch("u", 0));
      assertThat(post(service.http, path, "application/json", body, Map.of(), Request.MATCHES).status()).isEqualTo(401);
      assertThat(post(service.http, path, "application/json", body, Map.of("Authorization", "Bearer wrong-key"),
          Request.MATCHES).status()).isEqualTo(401);
    }
    assertThat(post(service.http, "/v1/event", "application/json", launch("u", 1),
        Map.of("Authorization", "Bearer " + WRITE_KEY), Request.MATCHES).status()).isEqualTo(202);
    assertThat(post(service.http, "/v1/events", "application/json", batch(launch("u", 2)),
        Map.of("Authorization", basic), Request.MATCHES).status()).isEqualTo(200);
    scenariosRun.add("writeKey");
  }

  @Test
  @Order(3)
  void aJwtServiceAnswers403ForAnotherUsersEvents(Vertx vertx) throws Exception {
    TestService service = start(vertx, new JsonObject().put("auth", new JsonObject().put("mode", "jwt")
        .put("jwt", new JsonObject().put("hs256Secret", TestTokens.SECRET))));
    Map<String, String> alice =
        Map.of("Authorization", TestTokens.bearer(TestTokens.hs256(TestTokens.SECRET, TestTokens.claims("alice"))));
    assertThat(post(service.http, "/v1/event", "application/json", launch("bob", 0), alice, Request.MATCHES).status())
        .isEqualTo(403);
    assertThat(post(service.http, "/v1/events", "application/json", batch(launch("alice", 0), launch("bob", 0)), alice,
        Request.MATCHES).status()).isEqualTo(403);
    assertThat(post(service.http, "/v1/event", "application/json", launch("alice", 1), alice, Request.MATCHES).status())
        .isEqualTo(202);
    assertThat(post(service.http, "/v1/event", "application/json", launch("alice", 2),
        Map.of("Authorization", TestTokens.bearer(TestTokens.unsigned(TestTokens.claims("alice")))), Request.MATCHES)
        .status()).isEqualTo(401);
    scenariosRun.add("jwt");
  }

  @Test
  @Order(4)
  void aServiceWithAFullOutboxAnswers503WithRetryAfter(Vertx vertx) throws Exception {
    TestService service = start(vertx, new JsonObject().put("notify", new JsonObject().put("outboxCapacity", 1)
        .put("maxAttempts", 1000)));
    service.notifications.stop().await(5, TimeUnit.SECONDS);
    // Forty minutes of training: one congratulation, which cannot be delivered, fills the outbox.
    assertThat(post(service.http, "/v1/events", batch(
        training("training_program_started", "trainee", "2021-02-28T16:00:00Z"),
        training("training_program_finished", "trainee", "2021-02-28T16:40:00Z")), Request.MATCHES).statuses())
        .containsExactly("accepted", "accepted");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> service.admin.get("/v1/admin/outbox").json().getInteger("queued") == 1);

    Response single = post(service.http, "/v1/event", launch("late", 0), Request.MATCHES);
    assertThat(single.status()).isEqualTo(503);
    assertThat(single.retryAfter()).isEqualTo("5");
    assertThat(post(service.http, "/v1/events", batch(launch("late", 1)), Request.MATCHES).status()).isEqualTo(503);
    for (String path : List.of("/health", "/health/ready")) {
      Response health = service.http.get(path);
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.json().getString("reason")).contains("outbox is full");
      assertThat(service.http.request(HttpMethod.HEAD, path).status()).isEqualTo(503);
    }
    assertThat(service.http.get("/health/live").status()).isEqualTo(200);
    scenariosRun.add("fullOutbox");
  }

  /** Every status the document gives an operation that is served today was provoked and checked above. */
  @Test
  @Order(5)
  void theScenariosProvokedEveryDocumentedStatus() {
    assumeTrue(scenariosRun.size() == SCENARIOS, "run the whole class: the scenarios together cover the document");
    Set<String> documented = new TreeSet<>();
    JsonObject paths = CONTRACT.resolved().getJsonObject("paths");
    Map<String, String> pathOf = new HashMap<>();
    for (String path : paths.fieldNames()) {
      if (paths.getJsonObject(path).containsKey("servers")) {
        // Served on another port (the admin API): ModesEndToEndTest holds its answers to the document, in both modes.
        continue;
      }
      for (String method : paths.getJsonObject(path).fieldNames()) {
        JsonObject operation = paths.getJsonObject(path).getJsonObject(method);
        if (operation.getBoolean("x-planned", false)) {
          continue;
        }
        pathOf.put(operation.getString("operationId"), path);
        operation.getJsonObject("responses").fieldNames().stream().filter(status -> !status.equals("default"))
            .forEach(status -> documented.add(operation.getString("operationId") + " " + status));
      }
    }
    Set<String> missing = new TreeSet<>();
    for (String answer : documented) {
      String[] parts = answer.split(" ");
      boolean provoked = seen.contains(answer)
          || parts[1].equals("404") && seen.contains("* 404")
          || parts[1].equals("405") && seen.contains(pathOf.get(parts[0]) + " 405");
      if (!provoked) {
        missing.add(answer);
      }
    }
    assertThat(missing).as("documented answers no scenario provoked (seen: %s)", new TreeSet<>(seen)).isEmpty();
    assertThat(documented).hasSizeGreaterThan(20);
  }
}
