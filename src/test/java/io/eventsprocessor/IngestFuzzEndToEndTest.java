package io.eventsprocessor;

import io.eventsprocessor.service.ServiceConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.HttpClient.Response;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Throws random and mutated JSON, random bytes, huge strings, deep nesting and random headers at both endpoints of
 * the real service. Whatever arrives, the answer is a 2xx, or a 4xx with a problem body, never a 5xx, nothing
 * throws on an event loop, and the service keeps accepting events afterwards.
 */
class IngestFuzzEndToEndTest {
  static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
      "application/cloudevents+json", "application/cloudevents-batch+json");
  static final List<String> KEYS = List.of("id", "type", "userId", "deviceId", "occurredAt", "sentAt", "data",
      "user_id", "device_id", "time_stamp", "training_program_id", "training_program_title", "programId",
      "programTitle", "specversion", "source", "subject", "deviceid", "time", "sentat", "datacontenttype",
      "data_base64");
  static final List<String> VALUES = List.of("app_launch", "training_program_started", "training_program_paused",
      "training_program_resumed", "training_program_finished", "training_program_cancelled", "workout_rated", "1.0",
      "2021-02-28T16:59:43Z", "2021-02-28 16:23:25", "2021-02-28T16:59:43.123456789+14:00", "+999999999-12-31T23:59:59Z",
      "-999999999-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-18:00", "1970-01-01T00:00:00Z",
      "application/json", "text/plain", "foo1", "bar1", "2352", "", " ", "\u0000", "\uD83D\uDE00", "%00");

  static Vertx vertx;
  static HttpClient open;
  static HttpClient guarded;
  static final Queue<Throwable> uncaught = new ConcurrentLinkedQueue<>();
  static final List<String> examples = new ArrayList<>();

  @BeforeContainer
  static void startServices() throws Exception {
    vertx = Vertx.vertx();
    vertx.exceptionHandler(uncaught::add);
    FakeNotificationService notifications = new FakeNotificationService(vertx).start().await(10, TimeUnit.SECONDS);
    // Open: no authentication and no rate limits, so that every body reaches the decoder.
    open = start(vertx, notifications, new JsonObject().put("rateLimit", new JsonObject().put("enabled", false)), true);
    // Guarded, in a second Vert.x (a process deploys one set of handlers): JWT and tight rate limits.
    Vertx second = Vertx.vertx();
    second.exceptionHandler(uncaught::add);
    guarded = start(second, notifications, new JsonObject()
        .put("auth", new JsonObject().put("mode", "jwt").put("jwt", new JsonObject().put("hs256Secret", TestTokens.SECRET)))
        .put("rateLimit", new JsonObject().put("maxKeys", 50)
            .put("perUser", new JsonObject().put("eventsPerSecond", 5).put("burst", 20))),
        // A connection per request: forged tokens can be large enough for a 431, which closes the connection.
        false);
    try (Stream<Path> files = Stream.concat(Files.list(Path.of("src/test/resources/examples/legacy")),
        Files.list(Path.of("src/test/resources/examples/improved")))) {
      for (Path file : files.sorted().toList()) {
        examples.add(Files.readString(file));
      }
    }
    examples.add(IngestionEndToEndTest.CLOUD_EVENT.formatted("1", "training_program_started", "2021-02-28T16:23:25Z"));
  }

  static HttpClient start(Vertx vertx, FakeNotificationService notifications, JsonObject overrides,
      boolean keepAlive) throws Exception {
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("notify", new JsonObject().put("url", notifications.url()).put("maxAttempts", 1))
        .put("notifySink", new JsonObject().put("enabled", false))
        .put("admin", new JsonObject().put("enabled", false))
        .put("state", new JsonObject().put("dir", Files.createTempDirectory("fuzz-state").toString()))
        .mergeIn(overrides, true);
    MainVerticle main = new MainVerticle(Clock.systemUTC(), null, Map.of(), ServiceConfig.FAMILIES);
    vertx.deployVerticle(main, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
    // Whatever arrives, the answer is also what the OpenAPI contract says.
    return new HttpClient(vertx, main.httpPort(), keepAlive).observedBy(HttpClient.CONTRACT);
  }

  @AfterContainer
  static void stopServices() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** After each property: the service still takes events and nothing blew up on an event loop. */
  @AfterProperty
  void theServiceStillWorks() {
    Response response = open.postEvent("""
        {"type": "app_launch", "userId": "after-fuzz", "deviceId": "d", "occurredAt": "%s"}"""
        .formatted(java.time.Instant.now()));
    assertThat(response.status()).isEqualTo(202);
    assertThat(open.get("/health").status()).isEqualTo(200);
    assertThat(uncaught).isEmpty();
  }

  static void assertWellAnswered(Response response, String what) {
    assertThat(response.status()).as("%s -> %s", what, response.body()).isBetween(200, 499);
    if (response.status() >= 300) {
      assertThat(response.contentType()).as(what).isEqualTo("application/problem+json");
      assertThat(new JsonObject(response.body()).getInteger("status")).as(what).isEqualTo(response.status());
    } else {
      assertThat(response.contentType()).as(what).isEqualTo("application/json");
      assertThat(new JsonObject(response.body())).as(what).isNotNull();
    }
  }

  static void postEverywhere(HttpClient client, Buffer body, String contentType, Map<String, String> headers) {
    for (String path : List.of("/v1/event", "/v1/events")) {
      assertWellAnswered(client.post(path, contentType, body, headers), path + " " + contentType + " " + headers
          + " " + abbreviate(body));
    }
  }

  static String abbreviate(Buffer body) {
    String text = body.toString();
    return text.length() > 300 ? text.substring(0, 300) + "…(" + text.length() + ")" : text;
  }

  // Random JSON

  @Property(tries = 600)
  void randomJsonDocuments(@ForAll("json") Object document, @ForAll("contentTypes") String contentType) {
    postEverywhere(open, Buffer.buffer(Json.encode(document)), contentType, Map.of());
  }

  @Property(tries = 600)
  void mutatedValidEvents(@ForAll("mutatedEvents") String document, @ForAll("contentTypes") String contentType) {
    postEverywhere(open, Buffer.buffer(document), contentType, Map.of());
    postEverywhere(open, Buffer.buffer("[" + document + "," + document + "]"), contentType, Map.of());
  }

  @Property(tries = 300)
  void randomBytes(@ForAll("bytes") byte[] body, @ForAll("contentTypes") String contentType) {
    postEverywhere(open, Buffer.buffer(body), contentType, Map.of());
  }

  @Property(tries = 100)
  void deepNestingAndHugeStrings(@ForAll("deepOrHuge") String document, @ForAll("contentTypes") String contentType) {
    postEverywhere(open, Buffer.buffer(document), contentType, Map.of());
  }

  @Property(tries = 300)
  void randomCloudEventsHeaders(@ForAll("ceHeaders") Map<String, String> headers, @ForAll("json") Object data) {
    postEverywhere(open, Buffer.buffer(Json.encode(data)), "application/json", headers);
  }

  @Property(tries = 400)
  void randomCredentialsAndUsersAgainstJwtAndRateLimits(@ForAll("authorizations") String authorization,
      @ForAll("mutatedEvents") String document) {
    postEverywhere(guarded, Buffer.buffer(document), "application/json", Map.of("Authorization", authorization));
  }

  // Generators

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.of(CONTENT_TYPES);
  }

  static Arbitrary<String> strings() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of(VALUES)),
        Tuple.of(3, Arbitraries.strings().ofMaxLength(40)),
        Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(100).ofMaxLength(3000)));
  }

  static Arbitrary<Object> leaves() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, strings().map(s -> (Object) s)),
        Tuple.of(2, Arbitraries.integers().map(i -> (Object) i)),
        Tuple.of(1, Arbitraries.longs().map(l -> (Object) l)),
        Tuple.of(1, Arbitraries.doubles().map(d -> (Object) d)),
        Tuple.of(1, Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(),
            java.math.BigInteger.TEN.pow(30)).map(b -> (Object) b)),
        Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
        Tuple.of(1, Arbitraries.just(null)));
  }

  static Arbitrary<Object> json(int depth) {
    if (depth == 0) {
      return leaves();
    }
    Arbitrary<Object> child = Arbitraries.lazy(() -> json(depth - 1));
    Arbitrary<String> keys = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(KEYS)),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(70)));
    Arbitrary<Object> object = Arbitraries.maps(keys, child).ofMaxSize(12).map(m -> (Object) new LinkedHashMap<>(m));
    Arbitrary<Object> array = child.list().ofMaxSize(8).map(l -> (Object) l);
    return Arbitraries.frequencyOf(Tuple.of(3, leaves()), Tuple.of(4, object), Tuple.of(1, array));
  }

  @Provide
  Arbitrary<Object> json() {
    return json(4);
  }

  /** An example event with one to three changes to its structure or to its text. */
  @Provide
  Arbitrary<String> mutatedEvents() {
    Arbitrary<String> example = Arbitraries.of(examples);
    Arbitrary<String> structural = Combinators.combine(example, Arbitraries.of(KEYS), json(2), Arbitraries.integers().between(0, 3))
        .as((text, key, value, kind) -> {
          JsonObject event = (JsonObject) Json.decodeValue(text.replaceAll(",\\s*}", "}"));
          switch (kind) {
            case 0 -> event.remove(key);
            case 1 -> event.put(key, value);
            case 2 -> event.put("data", new JsonObject().put(key, value));
            default -> event.put(key, "x".repeat(2000));
          }
          return event.encode();
        });
    Arbitrary<String> textual = Combinators.combine(example, Arbitraries.integers().between(0, 10_000),
            Arbitraries.strings().ofMaxLength(5), Arbitraries.of(true, false))
        .as((text, at, inserted, cut) -> {
          int position = at % (text.length() + 1);
          return cut ? text.substring(0, position) : text.substring(0, position) + inserted + text.substring(position);
        });
    return Arbitraries.frequencyOf(Tuple.of(3, structural), Tuple.of(2, textual), Tuple.of(1, example));
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
  }

  @Provide
  Arbitrary<String> deepOrHuge() {
    Arbitrary<String> deepArrays = Arbitraries.integers().between(1, 3000).map(n -> "[".repeat(n) + "]".repeat(n));
    Arbitrary<String> deepObjects = Arbitraries.integers().between(1, 3000)
        .map(n -> "{\"data\":".repeat(n) + "1" + "}".repeat(n));
    Arbitrary<String> unclosed = Arbitraries.integers().between(1, 100_000).map("[{"::repeat);
    Arbitrary<String> hugeString = Arbitraries.integers().between(1_000, 600_000)
        .map(n -> "{\"type\": \"app_launch\", \"userId\": \"" + "u".repeat(n) + "\"}");
    Arbitrary<String> manyFields = Arbitraries.integers().between(100, 20_000)
        .map(n -> "{\"type\": \"app_launch\", \"data\": {" + String.join(",",
            java.util.stream.IntStream.range(0, n).mapToObj(i -> "\"f" + i + "\": [" + i + "]").toList()) + "}}");
    Arbitrary<String> hugeNumber = Arbitraries.integers().between(100, 5000).map(n -> "{\"id\": " + "9".repeat(n) + "}");
    Arbitrary<String> manyEvents = Arbitraries.integers().between(400, 700)
        .map(n -> "[" + String.join(",", java.util.Collections.nCopies(n, "{\"type\": \"app_launch\"}")) + "]");
    return Arbitraries.oneOf(deepArrays, deepObjects, unclosed, hugeString, manyFields, hugeNumber, manyEvents);
  }

  @Provide
  Arbitrary<Map<String, String>> ceHeaders() {
    Arbitrary<String> names = Arbitraries.of("ce-specversion", "ce-id", "ce-source", "ce-type", "ce-time", "ce-subject",
        "ce-deviceid", "ce-sentat", "ce-datacontenttype", "ce-x", "ce-");
    Arbitrary<String> values = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(VALUES).filter(v -> v.chars().allMatch(c -> c >= 0x20 && c < 0x7f))),
        Tuple.of(2, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(200)));
    return Arbitraries.maps(names, values).ofMinSize(1).ofMaxSize(9)
        .map(m -> {
          Map<String, String> headers = new LinkedHashMap<>(m);
          headers.putIfAbsent("ce-specversion", "1.0");
          return headers;
        });
  }

  @Provide
  Arbitrary<String> authorizations() {
    Arbitrary<String> subjects = Arbitraries.of("foo1", "foo2", "bar", "", "x".repeat(300));
    Arbitrary<String> valid = subjects.map(s -> TestTokens.bearer(TestTokens.hs256(TestTokens.SECRET, TestTokens.claims(s))));
    Arbitrary<String> claimsFuzz = json(2).map(claims -> TestTokens.bearer(TestTokens.hs256(TestTokens.SECRET,
        claims instanceof Map<?, ?> ? new JsonObject(Json.encode(claims)) : new JsonObject().put("sub", claims))));
    Arbitrary<String> garbage = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(300)
        .map(s -> Arbitraries.of("Bearer ", "Basic ", "", "bearer ").sample() + s);
    return Arbitraries.oneOf(valid, claimsFuzz, garbage);
  }
}
