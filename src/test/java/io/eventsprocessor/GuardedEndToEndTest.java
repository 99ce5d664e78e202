package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.FakeNotificationService.Received;
import io.eventsprocessor.service.ServiceConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service with the shipped rules guarded as shipped (caps, quiet hours, languages), on a clock the test moves:
 * what reaches the notification service, through a restart in between.
 */
@ExtendWith(VertxExtension.class)
class GuardedEndToEndTest {
  /** The guards as conf/config.json has them, over the tests' unguarded defaults. */
  static final JsonObject GUARDED = new JsonObject().put("rules", new JsonObject()
      .put("defaults", new JsonObject().put("maxPerDay", 3)
          .put("quietHours", new JsonObject().put("from", "22:00").put("to", "07:00")))
      .put("reminder", new JsonObject().put("cap", new JsonObject().put("count", 1).put("period", "P1D"))
          .put("skipIfTrainedToday", true))
      .put("congratulation", new JsonObject().put("cap", new JsonObject().put("count", 1).put("period", "P1D"))));

  @TempDir Path stateDir;

  /** A program event of user {@code user} at a local time of 31 May 2026 in Berlin ("23:40"), in German. */
  static String program(String type, String user, String program, String berlinTime) {
    return "{\"type\": \"" + type + "\", \"userId\": \"" + user + "\", \"deviceId\": \"d\", \"occurredAt\": "
        + "\"2026-05-31T" + berlinTime + ":00+02:00\", \"timeZone\": \"Europe/Berlin\", \"locale\": \"de-AT\", "
        + "\"data\": {\"programId\": \"" + program + "\"}}";
  }

  @Test
  void aProgramFinishedAtTwentyToMidnightIsCongratulatedAtSevenLocalTimeOnceAcrossARestart(Vertx vertx)
      throws Exception {
    VirtualTime time = new VirtualTime(EndToEnd.START); // 02:00 on 1 June in Berlin
    TestService service = new TestService(vertx, stateDir, time, ServiceConfig.FAMILIES).start(GUARDED);
    assertThat(service.http.postEvent(program("training_program_started", "eve", "p1", "23:00")).status())
        .isEqualTo(202);
    assertThat(service.http.postEvent(program("training_program_finished", "eve", "p1", "23:40")).status())
        .isEqualTo(202);
    service.awaitSettled();
    assertThat(service.notifications.delivered()).isEmpty();

    service.stop();
    time.advance(Duration.ofHours(3));
    service = new TestService(vertx, stateDir, service.notifications, time, ServiceConfig.FAMILIES).start(GUARDED);
    service.awaitSettled();
    // Her clock stands at 23:40 plus the real time since: 07:00 in Berlin is 7 h 20 min after the finish.
    time.advance(Duration.ofHours(4).plusMinutes(19));
    service.awaitSettled();
    assertThat(service.notifications.delivered()).isEmpty();

    time.advance(Duration.ofMinutes(1));
    List<Received> delivered = service.deliveredExactly(1);
    assertThat(delivered).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_congratulation");
      assertThat(r.body().getString("locale")).isEqualTo("de");
      assertThat(r.message()).isEqualTo("Glückwunsch! Du hast heute 40 Minuten trainiert: Deine tägliche "
          + "Trainingsdosis ist geschafft.");
    });

    // A second long program that morning: the day's one is spent.
    service.http.postEvent(program("training_program_started", "eve", "p2", "23:59").replace("2026-05-31T23:59",
        "2026-06-01T08:00"));
    service.http.postEvent(program("training_program_finished", "eve", "p2", "23:59").replace("2026-05-31T23:59",
        "2026-06-01T08:45"));
    service.awaitSettled();
    time.advance(Duration.ofHours(1));
    assertThat(service.deliveredExactly(1)).hasSize(1);
    service.stop();
  }

  /** An event of {@code type} by {@code user}, in Berlin and speaking {@code locale}, at {@code at}. */
  static String event(String type, String user, java.time.Instant at, String locale, String program) {
    return "{\"type\": \"" + type + "\", \"userId\": \"" + user + "\", \"deviceId\": \"d\", \"occurredAt\": \"" + at
        + "\", \"timeZone\": \"Europe/Berlin\", \"locale\": \"" + locale + "\""
        + (program == null ? "" : ", \"data\": {\"programId\": \"" + program + "\"}") + "}";
  }

  static java.time.Instant berlin(String dayAndTime) {
    return java.time.LocalDateTime.parse(dayAndTime).atZone(java.time.ZoneId.of("Europe/Berlin")).toInstant();
  }

  @Test
  void aDayOfScriptedUsersGetsOneReminderOneCongratulationEachAndNothingAtNight(Vertx vertx) throws Exception {
    VirtualTime time = new VirtualTime(EndToEnd.START); // 02:00 on 1 June in Berlin
    TestService service = new TestService(vertx, stateDir, time, ServiceConfig.FAMILIES).start(GUARDED);
    java.util.TreeMap<java.time.Instant, List<String>> script = new java.util.TreeMap<>();
    java.util.function.BiConsumer<String, String> at = (when, event) ->
        script.computeIfAbsent(berlin("2026-06-01T" + when), k -> new java.util.ArrayList<>()).add(event);
    for (int hour = 9; hour <= 14; hour++) { // six launches, no training: one reminder
      at.accept(String.format("%02d:00", hour), event("app_launch", "ann", berlin(String.format("2026-06-01T%02d:00",
          hour)), "en", null));
    }
    at.accept("08:00", event("training_program_started", "bob", berlin("2026-06-01T08:00"), "en", "p1"));
    at.accept("08:40", event("training_program_finished", "bob", berlin("2026-06-01T08:40"), "en", "p1"));
    at.accept("12:00", event("app_launch", "bob", berlin("2026-06-01T12:00"), "en", null)); // trained today
    for (int hour = 15; hour <= 17; hour++) { // three long programs: one congratulation
      at.accept(hour + ":00", event("training_program_started", "cay", berlin("2026-06-01T" + hour + ":00"), "en",
          "p" + hour));
      at.accept(hour + ":35", event("training_program_finished", "cay", berlin("2026-06-01T" + hour + ":35"), "en",
          "p" + hour));
    }
    at.accept("23:50", event("app_launch", "dan", berlin("2026-06-01T23:50"), "en", null)); // nothing at night
    at.accept("10:00", event("training_program_started", "gus", berlin("2026-06-01T10:00"), "de-AT", "g"));
    at.accept("10:36", event("training_program_finished", "gus", berlin("2026-06-01T10:36"), "de-AT", "g"));

    for (var entry : script.entrySet()) {
      time.advance(Duration.between(time.instant(), entry.getKey()));
      for (String event : entry.getValue()) {
        assertThat(service.http.postEvent(event).status()).as(event).isEqualTo(202);
      }
      service.awaitSettled();
    }
    time.advance(Duration.ofHours(9)); // to the next morning
    service.awaitSettled();

    List<Received> delivered = service.deliveredExactly(4);
    assertThat(delivered).extracting(r -> r.userId() + " " + r.kind()).containsExactlyInAnyOrder(
        "ann training_reminder", "bob training_congratulation", "cay training_congratulation",
        "gus training_congratulation");
    assertThat(delivered).filteredOn(r -> r.userId().equals("gus")).singleElement().satisfies(r -> {
      assertThat(r.body().getString("locale")).isEqualTo("de");
      assertThat(r.message()).isEqualTo("Glückwunsch! Du hast heute 36 Minuten trainiert: Deine tägliche "
          + "Trainingsdosis ist geschafft.");
    });
    assertThat(delivered).filteredOn(r -> r.userId().equals("ann")).singleElement()
        .satisfies(r -> assertThat(r.body().getString("locale")).isEqualTo("en"));
    // What did not go out is counted, by rule and reason.
    assertThat(service.admin.get("/metrics").body()).contains(
        "events_processor_notifications_suppressed_total{family=\"reminder\",reason=\"capped\"} 5.0",
        "events_processor_notifications_suppressed_total{family=\"reminder\",reason=\"trained_today\"} 1.0",
        "events_processor_notifications_suppressed_total{family=\"reminder\",reason=\"quiet_hours\"} 1.0",
        "events_processor_notifications_suppressed_total{family=\"congratulation\",reason=\"capped\"} 2.0");
    service.stop();
  }
}
