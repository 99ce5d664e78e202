package io.eventsprocessor;

import io.eventsprocessor.service.ServiceConfig;
import static io.eventsprocessor.HttpClient.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventsprocessor.FakeNotificationService.Received;
import io.eventsprocessor.HttpClient.Response;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivery through failures of the notification service: nothing lost, nothing sent twice. */
@ExtendWith(VertxExtension.class)
class DeliveryEndToEndTest {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEndToEndTest.class);

  @TempDir Path stateDir;
  TestService service;
  FakeNotificationService notifications;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    service = new TestService(vertx, stateDir);
    notifications = service.notifications;
  }

  /** A start and a finish 40 minutes later: one congratulation for the user. */
  void trainFortyMinutes(String userId, String programId, int hour) {
    String day = "2021-03-01T" + String.format("%02d", hour);
    post("{\"type\": \"training_program_started\", \"userId\": \"" + userId + "\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"" + day + ":00:00Z\", \"data\": {\"programId\": \"" + programId + "\"}}");
    post("{\"type\": \"training_program_finished\", \"userId\": \"" + userId + "\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"" + day + ":40:00Z\", \"data\": {\"programId\": \"" + programId + "\"}}");
  }

  void post(String event) {
    assertThat(service.http.postEvent(event).status()).isEqualTo(202);
  }

  static JsonObject notify(JsonObject settings) {
    return new JsonObject().put("notify", settings);
  }

  @Test
  void threeServerErrorsThenSuccessDeliverOnceWithOneIdempotencyKey() throws Exception {
    service.start();
    notifications.answerNext(500, 500, 500);
    trainFortyMinutes("u1", "p", 10);

    assertThat(service.deliveredExactly(1)).hasSize(1);
    assertThat(notifications.requests()).hasSize(4)
        .extracting(Received::idempotencyKey).containsOnly(notifications.delivered().get(0).body().getString("id"));
  }

  @Test
  void whatIsDecidedWhileTheServiceIsDownIsDeliveredWhenItIsBackInOrderPerUser() throws Exception {
    service.start(notify(new JsonObject().put("breaker", new JsonObject().put("maxFailures", 2).put("resetTimeout", "PT1S"))));
    notifications.stop().await(5, TimeUnit.SECONDS);
    for (int hour = 10; hour < 13; hour++) {
      trainFortyMinutes("u1", "p" + hour, hour);
    }
    trainFortyMinutes("u2", "q", 10);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> service.admin.get("/v1/admin/outbox").json().getString("circuit").equals("OPEN"));

    notifications.start().await(5, TimeUnit.SECONDS);
    Instant back = Instant.now();
    List<Received> delivered = service.deliveredExactly(4);
    Instant last = delivered.stream().map(Received::at).max(Instant::compareTo).orElseThrow();
    LOG.info("delivery recovered {} ms after the notification service came back", Duration.between(back, last).toMillis());

    assertThat(delivered).filteredOn(r -> r.userId().equals("u1"))
        .extracting(r -> r.body().getJsonObject("data").getString("programId")).containsExactly("p10", "p11", "p12");
    assertThat(delivered).extracting(r -> r.body().getString("id")).doesNotHaveDuplicates();
  }

  @Test
  void aSlowHealthyServiceGetsAsManyAttemptsAtOnceAsConfigured() throws Exception {
    service.start(notify(new JsonObject().put("concurrency", 8).put("timeout", "PT5S")));
    notifications.answerAfter(Duration.ofMillis(500));
    for (int user = 0; user < 20; user++) {
      trainFortyMinutes("u" + user, "p", 10);
    }
    service.deliveredExactly(20);
    assertThat(notifications.mostRequestsAtOnce()).isEqualTo(8);
    assertThat(notifications.requests()).hasSize(20);
  }

  @Test
  void retryAfterIsHonoured() throws Exception {
    service.start();
    notifications.answerNext(429, "1");
    trainFortyMinutes("u1", "p", 10);

    service.deliveredExactly(1);
    List<Received> requests = notifications.requests();
    assertThat(requests).hasSize(2);
    assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aBadRequestIsNotRetriedBecomesADeadLetterAndIsResentByTheOperator() throws Exception {
    service.start();
    notifications.answerNext(400);
    trainFortyMinutes("u1", "p", 10);

    await().atMost(Duration.ofSeconds(5))
        .until(() -> new JsonArray(service.admin.get("/v1/admin/dead-letters").body()).size() == 1);
    service.deliveredExactly(0);
    assertThat(notifications.requests()).hasSize(1);
    JsonObject dead = new JsonArray(service.admin.get("/v1/admin/dead-letters").body()).getJsonObject(0);
    assertThat(dead.getString("lastError")).isEqualTo("status 400");
    assertThat(dead.getInteger("attempts")).isEqualTo(1);

    Response retried = service.admin.postJson("/v1/admin/dead-letters/" + dead.getString("id") + "/retry", "");
    assertThat(retried.status()).isEqualTo(202);
    assertThat(service.deliveredExactly(1)).singleElement()
        .satisfies(r -> assertThat(r.body().getString("id")).isEqualTo(dead.getString("id")));
    assertThat(new JsonArray(service.admin.get("/v1/admin/dead-letters").body())).isEmpty();
    assertThat(service.admin.postJson("/v1/admin/dead-letters/" + dead.getString("id") + "/retry", "").status()).isEqualTo(404);
  }

  @Test
  void theAdminApiRequiresItsTokenWhenOneIsSet() throws Exception {
    service.start(new JsonObject().put("admin", new JsonObject().put("token", "s3cret")));
    Response anonymous = service.admin.get("/v1/admin/dead-letters");
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.contentType()).isEqualTo("application/problem+json");
    assertThat(service.admin.getWithBearer("/v1/admin/dead-letters", "wrong").status()).isEqualTo(401);
    assertThat(service.admin.getWithBearer("/v1/admin/dead-letters", "s3cret").status()).isEqualTo(200);
  }

  @Test
  void whileTheServiceNeverAnswersTheCircuitOpensAndIngestionStaysFast() throws Exception {
    service.start(notify(new JsonObject().put("timeout", "PT1S")
        .put("breaker", new JsonObject().put("maxFailures", 3).put("resetTimeout", "PT30S"))));
    notifications.hang(true);
    for (int user = 0; user < 4; user++) {
      trainFortyMinutes("u" + user, "p", 10);
    }

    await().atMost(Duration.ofSeconds(10))
        .until(() -> service.admin.get("/v1/admin/outbox").json().getString("circuit").equals("OPEN"));
    int attemptsWhenOpen = notifications.requests().size();
    // Every attempt would take the full timeout (1 s); ingestion does not wait for delivery.
    Duration slowest = Duration.ZERO;
    for (int user = 10; user < 30; user++) {
      Instant before = Instant.now();
      trainFortyMinutes("u" + user, "p", 10);
      slowest = slowest.compareTo(Duration.between(before, Instant.now())) > 0 ? slowest : Duration.between(before, Instant.now());
    }
    assertThat(slowest).isLessThan(Duration.ofSeconds(1));
    assertThat(notifications.requests()).hasSize(attemptsWhenOpen);
    assertThat(service.admin.get("/v1/admin/outbox").json().getInteger("queued")).isEqualTo(24);
  }

  @Test
  void aFullOutboxRefusesNewEventsAndLosesNothingAlreadyAccepted() throws Exception {
    service.start(notify(new JsonObject().put("outboxCapacity", 3)));
    notifications.stop().await(5, TimeUnit.SECONDS);
    for (int user = 0; user < 3; user++) {
      trainFortyMinutes("u" + user, "p", 10);
    }
    await().atMost(Duration.ofSeconds(5))
        .until(() -> service.admin.get("/v1/admin/outbox").json().getInteger("queued") == 3);

    Response refused = service.http.post("/v1/event", "application/json", Buffer.buffer(resource("examples/legacy/1-foo2-app-launch.json")));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.retryAfter()).isEqualTo("5");
    assertThat(refused.contentType()).isEqualTo("application/problem+json");
    assertThat(refused.json().getString("detail")).contains("outbox is full");
    Response refusedBatch = service.http.post("/v1/events", "application/json",
        Buffer.buffer("[" + resource("examples/improved/1-foo2-app-launch.json") + "]"));
    assertThat(refusedBatch.status()).isEqualTo(503);
    assertThat(refusedBatch.retryAfter()).isEqualTo("5");

    notifications.start().await(5, TimeUnit.SECONDS);
    assertThat(service.deliveredExactly(3)).extracting(Received::userId).containsExactlyInAnyOrder("u0", "u1", "u2");
    await().atMost(Duration.ofSeconds(5))
        .until(() -> service.http.postEvent(resource("examples/legacy/1-foo2-app-launch.json")).status() == 202);
  }

  @Test
  void theSameEventsPostedTwiceSendOneNotification() throws Exception {
    VirtualTime time = new VirtualTime(EndToEnd.START);
    service = new TestService(service.vertx, service.stateDir, service.notifications, time, ServiceConfig.FAMILIES);
    service.start();
    for (int round = 0; round < 2; round++) {
      for (String event : List.of("1-foo2-app-launch", "2-foo1-started", "5-foo1-finished")) {
        Response response = service.http.postEvent(resource("examples/improved/" + event + ".json"));
        assertThat(response.status()).isEqualTo(round == 0 ? 202 : 200);
        assertThat(response.json().getString("status")).isEqualTo(round == 0 ? "accepted" : "duplicate");
      }
    }
    service.awaitSettled();
    time.advance(Duration.ofMinutes(10));
    assertThat(service.deliveredExactly(2)).extracting(Received::kind)
        .containsExactlyInAnyOrder("training_congratulation", "training_reminder");
  }
}
