package io.eventsprocessor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.TestEvents;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.service.ServiceConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scripted users' days through the shipped rules as shipped (caps, quiet hours, "trained today", languages), on a
 * clock the test moves: each event arrives at its own time, and time passes minute by minute in between, as the
 * service's timers would let it.
 */
class GuardedRulesTest {
  static final String BERLIN = "Europe/Berlin";
  static final String NEW_YORK = "America/New_York";

  final RuleEngine engine = new RuleEngine(rules(new JsonObject()));
  final List<Notification> sent = new ArrayList<>();
  long real = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();

  static RuleSet rules(JsonObject rules) {
    return ServiceConfig.from(new JsonObject().put("rules", rules), ServiceConfig.FAMILIES).ruleSet();
  }

  /** Berlin's local time on Tuesday 2026-03-03 ("09:00"), or on another day ("2026-03-04T09:00"). */
  static Instant berlin(String time) {
    return local(time, BERLIN);
  }

  static Instant local(String time, String zone) {
    String full = time.contains("T") ? time : "2026-03-03T" + time;
    return LocalDateTime.parse(full).atZone(ZoneId.of(zone)).toInstant();
  }

  /** Lets time run to {@code until}, a minute at a time, then applies the event there. */
  void send(Event event) {
    runUntil(event.occurredAt());
    sent.addAll(engine.apply(event, real).notifications());
  }

  void runUntil(Instant until) {
    for (long t = real; t <= until.toEpochMilli(); t += 60_000) {
      sent.addAll(engine.wakeUp(t));
    }
    real = until.toEpochMilli();
    sent.addAll(engine.wakeUp(real));
  }

  List<String> kinds() {
    return sent.stream().map(Notification::kind).toList();
  }

  RuleSet.Family<?> family(String name) {
    return engine.families().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }

  /** A program of {@code minutes} started at {@code start}. */
  void train(TestEvents user, String program, Instant start, int minutes) {
    send(user.at(start).started(program, "Morning Run"));
    send(user.at(start.plus(Duration.ofMinutes(minutes))).finished(program));
  }

  @Test
  void sixLaunchesInALocalDayWithoutTrainingGetOneReminderAndTheNextDayAnother() {
    TestEvents ann = TestEvents.of("ann").inZone(BERLIN);
    for (int hour = 9; hour <= 14; hour++) {
      send(ann.at(berlin(String.format("%02d:00", hour))).launch());
    }
    runUntil(berlin("20:00"));

    assertThat(kinds()).containsExactly("training_reminder");
    assertThat(family("reminder").suppressed(Reason.capped)).isEqualTo(5);

    send(ann.at(berlin("2026-03-04T09:00")).launch());
    runUntil(berlin("2026-03-04T10:00"));
    assertThat(kinds()).containsExactly("training_reminder", "training_reminder");
  }

  @Test
  void noReminderOnADayTheUserTrained() {
    TestEvents bob = TestEvents.of("bob").inZone(BERLIN);
    train(bob, "p1", berlin("08:00"), 40);
    send(bob.at(berlin("12:00")).launch());
    send(bob.at(berlin("17:00")).launch());
    runUntil(berlin("21:00"));

    assertThat(kinds()).containsExactly("training_congratulation");
    assertThat(family("reminder").suppressed(Reason.trained_today)).isEqualTo(2);
    assertThat(family("reminder").suppressed(Reason.capped)).isZero();
  }

  @Test
  void threeLongProgramsInADayGetOneCongratulation() {
    TestEvents cay = TestEvents.of("cay").inZone(BERLIN);
    train(cay, "p1", berlin("08:00"), 35);
    train(cay, "p2", berlin("12:00"), 35);
    train(cay, "p3", berlin("18:00"), 35);
    runUntil(berlin("21:00"));

    assertThat(sent).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo("training_congratulation");
      assertThat(n.triggeredBy()).isNotNull();
      assertThat(n.data()).containsEntry("minutes", 35L);
    });
    assertThat(family("congratulation").suppressed(Reason.capped)).isEqualTo(2);
  }

  @Test
  void aLaunchAtTenToMidnightLocalTimeWithNoStartGetsNothing() {
    TestEvents dan = TestEvents.of("dan").inZone(BERLIN);
    send(dan.at(berlin("23:50")).launch());
    runUntil(berlin("2026-03-04T09:00"));

    assertThat(sent).isEmpty();
    assertThat(family("reminder").suppressed(Reason.quiet_hours)).isOne();
  }

  @Test
  void aProgramFinishedAtTwentyToMidnightIsCongratulatedAtSevenLocalTimeOnce() {
    TestEvents eve = TestEvents.of("eve").inZone(BERLIN);
    train(eve, "p1", berlin("23:00"), 40);
    assertThat(sent).isEmpty();
    assertThat(family("congratulation").deferred()).isOne();
    assertThat(family("congratulation").held()).isOne();
    assertThat(engine.nextWakeAt()).isEqualTo(berlin("2026-03-04T07:00").toEpochMilli());

    runUntil(berlin("2026-03-04T06:59:59"));
    assertThat(sent).isEmpty();
    runUntil(berlin("2026-03-04T07:00"));
    assertThat(sent).singleElement().satisfies(n -> assertThat(n.data()).containsEntry("minutes", 40L));
    assertThat(family("congratulation").held()).isZero();

    runUntil(berlin("2026-03-05T12:00"));
    assertThat(sent).hasSize(1);
  }

  @Test
  void aDeferredCongratulationCountsOnTheDayItGoesOut() {
    TestEvents fay = TestEvents.of("fay").inZone(BERLIN);
    train(fay, "p1", berlin("23:00"), 40); // goes out at 07:00 on the 4th
    train(fay, "p2", berlin("2026-03-04T09:00"), 40); // the 4th's one is spent

    runUntil(berlin("2026-03-04T12:00"));
    assertThat(sent).extracting(n -> n.data().get("minutes")).containsExactly(40L);
    assertThat(family("congratulation").suppressed(Reason.capped)).isOne();
  }

  @Test
  void aGermanSpeakingUserGetsGermanTextWithTheRightPlurals() {
    engine.use(rules(new JsonObject().put("congratulation", new JsonObject().put("min", "PT30S"))), real);
    TestEvents gus = TestEvents.of("gus").inZone("Europe/Vienna").speaking("de-AT");
    send(gus.at(local("10:00", "Europe/Vienna")).started("p1", "Rücken fit"));
    send(gus.at(local("10:01", "Europe/Vienna")).finished("p1"));
    TestEvents hal = TestEvents.of("hal").inZone("Europe/Vienna").speaking("de-AT");
    send(hal.at(local("10:00", "Europe/Vienna")).started("p2"));
    send(hal.at(local("10:36", "Europe/Vienna")).finished("p2"));
    TestEvents ida = TestEvents.of("ida").speaking("en-GB");
    send(ida.at(local("10:00", "UTC")).started("p3", "Core"));
    send(ida.at(local("10:01", "UTC")).finished("p3"));

    assertThat(sent).extracting(Notification::locale, Notification::message).containsExactly(
        org.assertj.core.groups.Tuple.tuple("de", "Glückwunsch! Du hast heute 1 Minute mit Rücken fit trainiert: Deine "
            + "tägliche Trainingsdosis ist geschafft."),
        org.assertj.core.groups.Tuple.tuple("de", "Glückwunsch! Du hast heute 36 Minuten trainiert: Deine tägliche "
            + "Trainingsdosis ist geschafft."),
        org.assertj.core.groups.Tuple.tuple("en", "Congratulations! You trained for 1 minute with Core today: that is "
            + "your daily training dose done."));
    assertThat(sent.get(0).toJson().getString("locale")).isEqualTo("de");
  }

  @Test
  void aUserWhoTravelsIsJudgedByTheDayWhereItIsNow() {
    TestEvents jo = TestEvents.of("jo").inZone(BERLIN);
    train(jo, "p1", berlin("10:00"), 35); // 09:35 UTC, 04:35 in New York, on the 3rd
    TestEvents landed = TestEvents.of("jo").inZone(NEW_YORK);
    // 20:00 in New York is 02:00 on the 4th in Berlin, but the 3rd where the user is: the day's one is spent.
    train(landed, "p2", local("2026-03-03T19:25", NEW_YORK), 35);
    train(landed, "p3", local("2026-03-04T09:00", NEW_YORK), 35);
    runUntil(local("2026-03-04T12:00", NEW_YORK));

    assertThat(sent).hasSize(2);
    assertThat(family("congratulation").suppressed(Reason.capped)).isOne();
  }

  @Test
  void aUserWithNothingPendingIsForgottenOnceItsMarksNoLongerCount() {
    TestEvents kim = TestEvents.of("kim").inZone(BERLIN);
    train(kim, "p1", berlin("10:00"), 35);
    runUntil(berlin("10:35").plus(Duration.ofHours(26)));
    assertThat(engine.users()).isZero();
  }

  @Test
  void aReminderThatFellDueBeforeTheStartThatShowsItIsSent() {
    TestEvents lou = TestEvents.of("lou").inZone(BERLIN);
    // The launch and a late start arrive together: the start moves the clock past the reminder's due time.
    sent.addAll(engine.apply(lou.at(berlin("16:22")).launch(), real).notifications());
    sent.addAll(engine.apply(lou.at(berlin("16:40")).started("p1"), real + 1000).notifications());

    assertThat(kinds()).containsExactly("training_reminder");
    assertThat(family("reminder").suppressed(Reason.trained_today)).isZero();
  }
}
