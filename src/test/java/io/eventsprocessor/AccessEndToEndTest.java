package io.eventsprocessor;

import static io.eventsprocessor.TestTokens.SECRET;
import static io.eventsprocessor.TestTokens.bearer;
import static io.eventsprocessor.TestTokens.claims;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.HttpClient.Response;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may post events, and how fast: authentication modes and rate limits, through HTTP. */
class AccessEndToEndTest extends EndToEnd {
  static final String WRITE_KEY = "wk_0123456789abcdef";

  static String launch(String userId, int second) {
    return """
        {"type": "app_launch", "userId": "%s", "deviceId": "d", "occurredAt": "2026-01-01T10:00:%02dZ"}"""
        .formatted(userId, second);
  }

  static JsonObject auth(JsonObject auth) {
    return new JsonObject().put("auth", auth);
  }

  Response post(String path, String body, String authorization) {
    return http.postJson(path, body, authorization == null ? Map.of() : Map.of("Authorization", authorization));
  }

  /** Every refusal of credentials looks the same: nothing tells which part was wrong. */
  static void assertUnauthorized(Response response, String path) {
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.wwwAuthenticate()).isEqualTo("Bearer");
    assertThat(response.json()).isEqualTo(new JsonObject().put("type", "about:blank").put("title", "Unauthorized")
        .put("status", 401).put("detail", "Missing or invalid credentials.").put("instance", path));
  }

  // Write key

  @Test
  void theWriteKeyIsTakenAsBearerOrAsBasicUserNameAndNothingElseGetsIn() throws Exception {
    startService(auth(new JsonObject().put("mode", "writeKey").put("writeKey", WRITE_KEY)));
    String basic = "Basic " + Base64.getEncoder().encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8));

    assertThat(post("/v1/event", launch("u", 0), bearer(WRITE_KEY)).status()).isEqualTo(202);
    assertThat(post("/v1/event", launch("u", 1), basic).status()).isEqualTo(202);
    assertThat(post("/v1/events", EndToEnd.batch(launch("u", 2)), "bearer " + WRITE_KEY).status()).isEqualTo(200);

    String wrongBasic = "Basic " + Base64.getEncoder().encodeToString("nope:".getBytes(StandardCharsets.UTF_8));
    for (String path : List.of("/v1/event", "/v1/events")) {
      for (String credential : java.util.Arrays.asList(null, "", bearer("wrong-key"), bearer(WRITE_KEY + "x"),
          wrongBasic, "Basic !!!", "Token " + WRITE_KEY, WRITE_KEY, "Bearer ")) {
        assertUnauthorized(post(path, path.equals("/v1/event") ? launch("u", 3) : "[" + launch("u", 3) + "]",
            credential), path);
      }
    }
    assertThat(main.ingestStats().accepted()).isEqualTo(3);
  }

  // JWT

  @Test
  void aJwtForOneUserCannotPostEventsOfAnother() throws Exception {
    startService(auth(new JsonObject().put("mode", "jwt").put("jwt", new JsonObject().put("hs256Secret", SECRET))));
    String alice = bearer(TestTokens.hs256(SECRET, claims("alice")));

    assertThat(post("/v1/event", launch("alice", 0), alice).status()).isEqualTo(202);
    Response forBob = post("/v1/event", launch("bob", 0), alice);
    assertThat(forBob.status()).isEqualTo(403);
    assertThat(forBob.json().getString("detail")).isEqualTo("The credentials do not allow posting events of this user.");
    // One foreign event refuses the whole batch: nothing of it is applied.
    Response mixed = post("/v1/events", EndToEnd.batch(launch("alice", 1), launch("bob", 1)), alice);
    assertThat(mixed.status()).isEqualTo(403);
    assertThat(post("/v1/events", EndToEnd.batch(launch("alice", 1), launch("alice", 2)), alice).statuses())
        .containsExactly("accepted", "accepted");
    assertThat(main.ingestStats().accepted()).isEqualTo(3);
    assertThat(main.ingestStats().forbidden()).isEqualTo(2);
  }

  @Test
  void aTokenThatIsNotRightInAnyWayIsUnauthorizedAlike() throws Exception {
    startService(auth(new JsonObject().put("mode", "jwt").put("jwt", new JsonObject().put("hs256Secret", SECRET))));
    long now = Instant.now().getEpochSecond();
    List<String> bad = new ArrayList<>(List.of(
        TestTokens.hs256("another-secret-of-at-least-32-characters", claims("alice")),
        TestTokens.hs256(SECRET, claims("alice").put("exp", now - 120)),
        TestTokens.hs256(SECRET, new JsonObject().put("sub", "alice")),
        TestTokens.hs256(SECRET, claims("alice").put("exp", "tomorrow")),
        TestTokens.hs256(SECRET, claims("alice").put("sub", 42)),
        TestTokens.hs256(SECRET, claims("alice").put("nbf", now + 3600)),
        TestTokens.hs256(SECRET, claims("alice").putNull("sub")),
        TestTokens.unsigned(claims("alice")),
        TestTokens.rs256(TestTokens.rsaKeyPair().getPrivate(), claims("alice")),
        "not.a.token",
        "%%%.***.@@@"));
    String good = TestTokens.hs256(SECRET, claims("alice"));
    bad.add(good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "BB" : "AA"));
    for (String token : bad) {
      assertUnauthorized(post("/v1/event", launch("alice", 0), bearer(token)), "/v1/event");
    }
    assertUnauthorized(post("/v1/event", launch("alice", 0), "Basic " + good), "/v1/event");
    assertThat(post("/v1/event", launch("alice", 0), bearer(good)).status()).isEqualTo(202);
  }

  @Test
  void rs256TokensAreVerifiedWithThePublicKeyFromTheConfig() throws Exception {
    KeyPair keys = TestTokens.rsaKeyPair();
    startService(auth(new JsonObject().put("mode", "jwt")
        .put("jwt", new JsonObject().put("rs256PublicKey", TestTokens.pem(keys)))));

    assertThat(post("/v1/event", launch("carol", 0), bearer(TestTokens.rs256(keys.getPrivate(), claims("carol")))).status())
        .isEqualTo(202);
    assertThat(post("/v1/event", launch("dave", 0), bearer(TestTokens.rs256(keys.getPrivate(), claims("carol")))).status())
        .isEqualTo(403);
    // Another key pair, or an HMAC token while only RS256 is configured, gets nowhere.
    assertUnauthorized(post("/v1/event", launch("carol", 0),
        bearer(TestTokens.rs256(TestTokens.rsaKeyPair().getPrivate(), claims("carol")))), "/v1/event");
    assertUnauthorized(post("/v1/event", launch("carol", 0), bearer(TestTokens.hs256(SECRET, claims("carol")))), "/v1/event");
  }

  // Rate limits

  @Test
  void aFloodFromOneUserGets429sWhileAnotherUsersEventsKeepBeingAccepted() throws Exception {
    startService(new JsonObject().put("rateLimit", new JsonObject()
        .put("perUser", new JsonObject().put("eventsPerSecond", 1).put("burst", 3))
        .put("perAddress", new JsonObject().put("requestsPerSecond", 1000).put("burst", 1000))));
    List<Integer> flood = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Response response = http.postEvent(launch("flooder", i));
      flood.add(response.status());
      if (response.status() == 429) {
        assertThat(Long.parseLong(response.retryAfter())).isBetween(1L, 2L);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
      }
      if (i % 3 == 2) {
        // Another user, at an ordinary pace, from the same address, meanwhile.
        assertThat(http.postEvent(launch("neighbour", i)).status()).as("the other user's event %d", i).isEqualTo(202);
      }
    }
    // The burst goes through, and at most a token or two more while the test runs; the rest is refused.
    assertThat(flood.subList(0, 3)).containsOnly(202);
    assertThat(flood.stream().filter(s -> s == 429).count()).isGreaterThanOrEqualTo(5);

    // In a batch, the limited user's events from the first refused one on are not taken; the answer is a 429 that
    // still says, per event, what was taken.
    Response batch = http.postBatch(EndToEnd.batch(launch("batcher", 0), launch("batcher", 1), launch("other", 0),
        launch("batcher", 2), launch("batcher", 3), launch("other", 1)));
    assertThat(batch.status()).isEqualTo(429);
    assertThat(batch.retryAfter()).isNotNull();
    assertThat(batch.statuses()).containsExactly("accepted", "accepted", "accepted", "accepted", "rate_limited", "accepted");
  }

  @Test
  void unauthenticatedTrafficIsLimitedPerClientAddressBeforeItsBodyIsRead() throws Exception {
    startService(new JsonObject().put("rateLimit", new JsonObject()
        .put("perAddress", new JsonObject().put("requestsPerSecond", 1).put("burst", 2))));
    assertThat(http.postEvent(launch("a", 0)).status()).isEqualTo(202);
    assertThat(http.postEvent(launch("b", 0)).status()).isEqualTo(202);
    // The bucket is empty now; a slow machine may refill a token meanwhile, so a few requests decide.
    Response refused = null;
    for (int i = 0; i < 4 && refused == null; i++) {
      Response response = http.post("/v1/event", "application/json", Buffer.buffer("not even JSON"));
      if (response.status() == 429) {
        refused = response;
      } else {
        assertThat(response.status()).isEqualTo(400);
      }
    }
    assertThat(refused).isNotNull();
    assertThat(refused.retryAfter()).isEqualTo("1");
    assertThat(refused.json().getString("detail")).contains("Too many requests from this address");
  }

  @Test
  void rateLimitingCanBeTurnedOff() throws Exception {
    startService(new JsonObject().put("rateLimit", new JsonObject().put("enabled", false)
        .put("perAddress", new JsonObject().put("requestsPerSecond", 1).put("burst", 1))
        .put("perUser", new JsonObject().put("eventsPerSecond", 1).put("burst", 1))));
    for (int i = 0; i < 5; i++) {
      assertThat(http.postEvent(launch("a", i)).status()).isEqualTo(202);
    }
  }

  @Test
  void theDefaultRatePerAddressLetsADeveloperSendHundredsOfQuickRequestsFromOneMachine() throws Exception {
    // Journal writes without a sync: the requests come as quickly as a developer's machine sends them.
    startService(new JsonObject().put("state", new JsonObject().put("sync", "write")));
    // As a developer's script does it, from one machine, for a few dozen users, a few requests at a time (the
    // answers are not held to the contract here, which would slow the script down).
    HttpClient script = new HttpClient(vertx, main.httpPort());
    java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        String event = launch("dev-" + (i % 60), i / 60);
        statuses.add(senders.submit(() -> script.postEvent(event).status()));
      }
      for (int i = 0; i < statuses.size(); i++) {
        assertThat(statuses.get(i).get()).as("request %d", i).isEqualTo(202);
      }
    } finally {
      senders.shutdownNow();
    }
    assertThat(http.postEvent(launch("dev-next", 0)).status()).isEqualTo(202);
  }

  /** Posts events of new users with this X-Forwarded-For until one is answered 429; null when none was. */
  Response floodFrom(String forwardedFor, int requests) {
    for (int i = 0; i < requests; i++) {
      Response response = http.postJson("/v1/event", launch("flood-" + forwardedFor + "-" + i, 0),
          Map.of("X-Forwarded-For", forwardedFor));
      if (response.status() == 429) {
        return response;
      }
      assertThat(response.status()).isEqualTo(202);
    }
    return null;
  }

  static JsonObject perAddress(int perSecond, int burst) {
    return new JsonObject().put("perAddress", new JsonObject().put("requestsPerSecond", perSecond).put("burst", burst));
  }

  @Test
  void behindATrustedProxyEachForwardedClientHasABucketOfItsOwn() throws Exception {
    startService(new JsonObject().put("rateLimit", perAddress(1, 2))
        .put("http", new JsonObject().put("trustedProxies", new io.vertx.core.json.JsonArray().add("127.0.0.0/8"))));
    Response limited = floodFrom("203.0.113.1", 6);
    assertThat(limited).as("a 429 for the flooding client").isNotNull();
    assertThat(limited.json().getString("detail")).contains("Too many requests from this address");
    // Another client behind the same proxy is not held back by the first.
    assertThat(http.postJson("/v1/event", launch("neighbour", 0), Map.of("X-Forwarded-For", "203.0.113.2")).status())
        .isEqualTo(202);
    // The proxy writes X-Forwarded-For (the default http.forwardedHeader): a Forwarded the client wrote itself is not
    // believed, so claiming the limited client's address does not reach its bucket.
    assertThat(http.postJson("/v1/event", launch("neighbour", 1), Map.of("Forwarded", "for=203.0.113.1")).status())
        .isEqualTo(202);
  }

  @Test
  void withoutTrustedProxiesForwardedAddressesAreIgnoredAndThePeerIsTheClient() throws Exception {
    startService(new JsonObject().put("rateLimit", perAddress(1, 2)));
    // Each request claims another address: they all come from this machine all the same.
    Response limited = null;
    for (int i = 0; i < 6 && limited == null; i++) {
      Response response = http.postJson("/v1/event", launch("claimer", i), Map.of("X-Forwarded-For", "198.51.100." + i));
      limited = response.status() == 429 ? response : null;
    }
    assertThat(limited).as("a 429: the claimed addresses share the peer's bucket").isNotNull();
  }

  @Test
  void theRatePerAddressHoldsWithCredentialsTooAndBeforeThemIsChecked() throws Exception {
    startService(auth(new JsonObject().put("mode", "writeKey").put("writeKey", WRITE_KEY))
        .put("rateLimit", perAddress(1, 3)));
    assertThat(post("/v1/event", launch("keyed", 0), bearer(WRITE_KEY)).status()).isEqualTo(202);
    // Wrong credentials cost the address's tokens as well: a flood of them is turned away before they are checked.
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      statuses.add(post("/v1/event", launch("keyed", 1), bearer("wrong-key")).status());
    }
    assertThat(statuses).contains(401, 429).containsOnly(401, 429);
    // The bucket refills a token a second, so a slow machine may let one through: a few requests decide.
    List<Integer> valid = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      valid.add(post("/v1/event", launch("keyed-" + i, 2), bearer(WRITE_KEY)).status());
    }
    assertThat(valid).contains(429).isSubsetOf(202, 429);
  }
}
