package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventsprocessor.FakeNotificationService.Received;
import io.eventsprocessor.HttpClient.Response;
import io.eventsprocessor.config.ConfigFile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules are reloaded from the {@code -conf} file without a restart (the admin API's call here; SIGHUP on the jar:
 * {@link ConfigIT}): new rules and types take effect, removed ones lose their pending state, an invalid file is
 * refused with the running rules kept, and events posted meanwhile are all taken.
 */
@ExtendWith(VertxExtension.class)
class RulesReloadEndToEndTest {
  @TempDir Path dir;
  Path conf;
  TestService service;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    conf = dir.resolve("config.json");
    Files.writeString(conf, "{}");
    service = new TestService(vertx, dir.resolve("state"));
    // As the launcher does: the -conf file read again; here over the test's defaults (ports, paths).
    service.reloadSource = () -> service.config(ConfigFile.read(conf.toString()));
    service.start(new JsonObject());
  }

  @AfterEach
  void tearDown() throws Exception {
    service.stop();
  }

  /** The admin API's reload, its answer held to the OpenAPI document. */
  Response reload() {
    return new HttpClient(service.vertx, service.main.adminPort()).observedBy(HttpClient.CONTRACT)
        .post("/v1/admin/rules/reload", null, io.vertx.core.buffer.Buffer.buffer());
  }

  static JsonObject examples() throws Exception {
    return new JsonObject(Files.readString(Path.of("conf/example-rules.json")));
  }

  static String yoga(String type, String user, String at) {
    return "{\"type\": \"" + type + "\", \"userId\": \"" + user + "\", \"deviceId\": \"d\", \"occurredAt\": "
        + "\"2026-01-01T" + at + "Z\", \"data\": {\"sessionId\": \"s1\"}}";
  }

  @Test
  void rulesAddedToTheFileRunAfterAReloadAndEventsPostedMeanwhileAreAllTaken() throws Exception {
    assertThat(service.http.postEvent(yoga("yoga_session_started", "yogi", "07:00:00")).json().getString("status"))
        .isEqualTo("unsupported");

    // Traffic all along: every event must be accepted and applied, whichever rules it met.
    AtomicBoolean posting = new AtomicBoolean(true);
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    Thread traffic = new Thread(() -> {
      for (int i = 0; posting.get(); i++) {
        statuses.add(service.http.postEvent(ModesEndToEndTest.training("training_program_started", "t" + i,
            "traffic-" + i, "07:00:00")).status());
      }
    });
    traffic.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> statuses.size() >= 20);
    Files.writeString(conf, examples().encodePrettily());
    Response reloaded = reload();
    int during = statuses.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> statuses.size() >= during + 20);
    posting.set(false);
    traffic.join(10_000);

    assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(200);
    assertThat(reloaded.json().getString("status")).isEqualTo("reloaded");
    assertThat(reloaded.json().getJsonArray("added")).containsExactly("paused_nudge", "yoga_congratulation");
    assertThat(reloaded.json().getJsonArray("restartNeededFor")).isEmpty();
    assertThat(statuses).isNotEmpty().allMatch(status -> status == 202);
    service.awaitSettled();

    assertThat(service.http.postEvent(yoga("yoga_session_started", "yogi", "08:00:00")).json().getString("status"))
        .isEqualTo("accepted");
    assertThat(service.http.postEvent(yoga("yoga_session_ended", "yogi", "08:30:00")).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> service.notifications.delivered().stream()
        .anyMatch(r -> r.kind().equals("yoga_congratulation")));
    assertThat(service.notifications.delivered()).filteredOn(r -> r.userId().equals("yogi"))
        .extracting(Received::message).containsExactly("Namaste! 30 minutes of yoga today.");
    assertThat(service.admin.get("/metrics").body())
        .contains("events_processor_users{family=\"yoga_congratulation\"} 0.0")
        .contains("events_processor_rules_reloads_total{outcome=\"applied\"} 1.0");
  }

  @Test
  void anInvalidFileIsRefusedNamingTheKeyAndTheRunningRulesStay() throws Exception {
    Files.writeString(conf, examples().encodePrettily());
    assertThat(reload().status()).isEqualTo(200);
    JsonObject wrong = examples();
    wrong.getJsonObject("rules").getJsonObject("paused_nudge").put("within", "PT0M");
    Files.writeString(conf, wrong.encodePrettily());

    Response refused = reload();
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.json().getString("detail"))
        .contains("rules.paused_nudge.within: must be an ISO-8601 duration longer than zero");
    assertThat(service.http.postEvent(yoga("yoga_session_started", "yogi", "08:00:00")).json().getString("status"))
        .isEqualTo("accepted");
    Files.writeString(conf, "{not json");
    assertThat(reload().json().getString("detail")).contains("is not valid JSON");
    assertThat(service.admin.get("/metrics").body())
        .contains("events_processor_rules_reloads_total{outcome=\"refused\"} 2.0");
  }

  @Test
  void withoutAConfFileThereIsNothingToReload(Vertx vertx) throws Exception {
    service.reloadSource = null;
    service.stop();
    service.start(new JsonObject());
    Response refused = reload();
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().getString("detail")).contains("started without a -conf file");
    service.reloadSource = () -> service.config(ConfigFile.read(conf.toString()));
  }

  @Test
  void aRuleRemovedLosesItsPendingStateWhichIsCountedAndOtherChangesWaitForARestart() throws Exception {
    Files.writeString(conf, examples().encodePrettily());
    assertThat(reload().status()).isEqualTo(200);
    assertThat(service.http.postEvent(yoga("yoga_session_started", "yogi", "08:00:00")).status()).isEqualTo(202);
    service.awaitSettled();

    JsonObject without = examples();
    without.getJsonObject("rules").remove("yoga_congratulation");
    without.put("notify", new JsonObject().put("maxAttempts", 3));
    Files.writeString(conf, without.encodePrettily());
    Response reloaded = reload();
    assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(200);
    assertThat(reloaded.json().getJsonArray("removed")).containsExactly("yoga_congratulation");
    assertThat(reloaded.json().getJsonObject("dropped")).isEqualTo(new JsonObject().put("yoga_congratulation", 1));
    assertThat(reloaded.json().getJsonArray("restartNeededFor")).isEqualTo(new JsonArray().add("notify"));
    assertThat(service.admin.get("/metrics").body())
        .contains("events_processor_rules_state_dropped_total{family=\"yoga_congratulation\"} 1.0")
        .doesNotContain("events_processor_users{family=\"yoga_congratulation\"}");
    // The type is no rule's any more.
    assertThat(service.http.postEvent(yoga("yoga_session_ended", "yogi", "08:30:00")).json().getString("status"))
        .isEqualTo("unsupported");
  }
}
