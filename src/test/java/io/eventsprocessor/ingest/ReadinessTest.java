package io.eventsprocessor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The health answer and the gate's refusal, from the same checks. */
class ReadinessTest {
  final AtomicReference<String> outbox = new AtomicReference<>();
  final AtomicReference<String> users = new AtomicReference<>();
  final AtomicReference<String> backups = new AtomicReference<>();
  final Readiness readiness = new Readiness(List.of(
      new Readiness.Check("outbox", outbox::get, Readiness.Effect.REFUSES_REQUESTS),
      new Readiness.Check("users", users::get, Readiness.Effect.NOT_READY),
      new Readiness.Check("backups", backups::get, Readiness.Effect.REPORTED)));

  static JsonObject part(String status) {
    return new JsonObject().put("status", status);
  }

  @Test
  void upWhileEveryPartIsNamingEachOne() {
    assertThat(readiness.health()).isEqualTo(new JsonObject().put("status", "UP").put("checks", new JsonObject()
        .put("outbox", part("UP")).put("users", part("UP")).put("backups", part("UP")).put("shutdown", part("UP"))));
    assertThat(readiness.refusal()).isNull();
  }

  @Test
  void aPartThatRefusesRequestsMakesTheGateRefuseThemAndTheServiceNotReady() {
    outbox.set("The notification outbox is full (3 waiting)");
    assertThat(readiness.refusal()).isEqualTo("The notification outbox is full (3 waiting)");
    JsonObject health = readiness.health();
    assertThat(health.getString("status")).isEqualTo("DOWN");
    assertThat(health.getString("reason")).isEqualTo("The notification outbox is full (3 waiting)");
    assertThat(health.getJsonObject("checks").getJsonObject("outbox"))
        .isEqualTo(part("DOWN").put("reason", "The notification outbox is full (3 waiting)"));
  }

  @Test
  void aReportedPartIsShownWithoutMakingTheServiceNotReady() {
    backups.set("the cluster is copying users' entries and their backups");
    assertThat(readiness.refusal()).isNull();
    JsonObject health = readiness.health();
    assertThat(health.getString("status")).isEqualTo("UP");
    assertThat(health.containsKey("reason")).isFalse();
    assertThat(health.getJsonObject("checks").getJsonObject("backups"))
        .isEqualTo(part("DOWN").put("reason", "the cluster is copying users' entries and their backups"));
  }

  @Test
  void theCapOnUsersOrAStopMakeTheServiceNotReadyWithoutRefusingRequests() {
    users.set("The service keeps the state of its most users (1): events of new users are refused");
    assertThat(readiness.refusal()).isNull();
    assertThat(readiness.health().getString("status")).isEqualTo("DOWN");
    users.set(null);

    readiness.stopping();
    assertThat(readiness.refusal()).isNull();
    assertThat(readiness.health()).isEqualTo(new JsonObject().put("status", "DOWN")
        .put("reason", "The service is stopping").put("checks", new JsonObject()
            .put("outbox", part("UP")).put("users", part("UP")).put("backups", part("UP"))
            .put("shutdown", part("DOWN").put("reason", "The service is stopping"))));
  }
}
