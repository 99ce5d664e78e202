package io.eventsprocessor.congratulation;

import static io.eventsprocessor.TestEvents.time;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.TestEvents;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.rules.Outcome;
import io.eventsprocessor.rules.Replay;
import io.eventsprocessor.shapes.ConfiguredRules;
import io.eventsprocessor.shapes.DurationRules;
import io.eventsprocessor.shapes.DurationState;
import io.vertx.core.json.JsonObject;
import io.eventsprocessor.notify.Notification;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CongratulationRulesTest {
  /** The shipped congratulation, as configured: more than 30 minutes, sessions expiring after 12 hours. */
  static final DurationRules RULES = ConfiguredRules.rules("congratulation", new JsonObject()
      .put("message", "You trained {minutes} minutes with {programTitle}.")
      .put("fallbackMessage", "You trained {minutes} minutes."));

  static final TestEvents FOO1 = TestEvents.of("foo1");

  /** Applies the events in order from no state; returns every notification sent. */
  static List<Notification> run(Event... events) {
    return replay(events).notifications();
  }

  static Replay<DurationState> replay(Event... events) {
    return Replay.of(RULES, events);
  }

  @Test
  void congratulatesWithTheExactWholeMinutesTrained() {
    Event finish = FOO1.at("16:59:43").finished("2352");
    List<Notification> sent = run(FOO1.at("16:23:25").started("2352", "7 Minutes of HIIT Training"), finish);

    assertThat(sent).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo("training_congratulation");
      assertThat(n.userId()).isEqualTo("foo1");
      assertThat(n.message()).isEqualTo("You trained 36 minutes with 7 Minutes of HIIT Training.");
      assertThat(n.data()).containsEntry("minutes", 36L).containsEntry("programId", "2352")
          .containsEntry("programTitle", "7 Minutes of HIIT Training");
      assertThat(n.triggeredBy()).isEqualTo(finish.id());
    });
  }

  @Test
  void exactlyThirtyMinutesIsNotMoreThanThirty() {
    assertThat(run(FOO1.at("10:00:00").started("p"), FOO1.at("10:30:00").finished("p"))).isEmpty();
  }

  @Test
  void oneSecondOverThirtyMinutesIsCongratulatedAsThirtyMinutes() {
    assertThat(run(FOO1.at("10:00:00").started("p"), FOO1.at("10:30:01").finished("p")))
        .singleElement().extracting(Notification::message).isEqualTo("You trained 30 minutes.");
  }

  @Test
  void pausesDoNotCountAsTraining() {
    List<Notification> enough = run(
        FOO1.at("10:00:00").started("p"), FOO1.at("10:20:00").paused("p"),
        FOO1.at("10:30:00").resumed("p"), FOO1.at("10:45:00").finished("p"));
    assertThat(enough).singleElement().extracting(n -> n.data().get("minutes")).isEqualTo(35L);

    List<Notification> tooShort = run(
        FOO1.at("10:00:00").started("p"), FOO1.at("10:20:00").paused("p"),
        FOO1.at("10:40:00").resumed("p"), FOO1.at("10:45:00").finished("p"));
    assertThat(tooShort).isEmpty();
  }

  @Test
  void severalPausesAddUp() {
    List<Notification> sent = run(
        FOO1.at("10:00:00").started("p"),
        FOO1.at("10:10:00").paused("p"), FOO1.at("10:15:00").resumed("p"),
        FOO1.at("10:20:00").paused("p"), FOO1.at("10:25:00").resumed("p"),
        FOO1.at("10:50:30").finished("p"));
    assertThat(sent).singleElement().extracting(n -> n.data().get("minutes")).isEqualTo(40L);
  }

  @Test
  void aFinishDuringAPauseCountsUntilThePauseBegan() {
    List<Notification> sent = run(
        FOO1.at("10:00:00").started("p"), FOO1.at("10:35:00").paused("p"), FOO1.at("11:50:00").finished("p"));
    assertThat(sent).singleElement().extracting(n -> n.data().get("minutes")).isEqualTo(35L);
  }

  @Test
  void aRepeatedPauseOrAResumeWithoutPauseChangesNothing() {
    List<Notification> sent = run(
        FOO1.at("10:00:00").started("p"), FOO1.at("10:05:00").resumed("p"),
        FOO1.at("10:10:00").paused("p"), FOO1.at("10:20:00").paused("p"),
        FOO1.at("10:30:00").resumed("p"), FOO1.at("11:00:00").finished("p"));
    assertThat(sent).singleElement().extracting(n -> n.data().get("minutes")).isEqualTo(40L);
  }

  @Test
  void aCancelledProgramCannotBeFinished() {
    assertThat(run(FOO1.at("10:00:00").started("p"), FOO1.at("10:40:00").cancelled("p"), FOO1.at("10:50:00").finished("p")))
        .isEmpty();
  }

  @Test
  void aFinishedProgramCannotBeFinishedAgain() {
    assertThat(run(FOO1.at("10:00:00").started("p"), FOO1.at("10:40:00").finished("p"), FOO1.at("10:50:00").finished("p")))
        .hasSize(1);
  }

  @Test
  void aFinishWithoutAStartSendsNothingAndKeepsNoState() {
    Outcome<DurationState> outcome = RULES.apply(null, FOO1.at("10:00:00").finished("p"));
    assertThat(outcome.notifications()).isEmpty();
    assertThat(outcome.state()).isNull();
    assertThat(outcome.notable()).isTrue();
  }

  @Test
  void aProgramRepeatedAnotherDayIsTimedFromTheLatestStart() {
    List<Notification> sent = run(
        FOO1.at("2021-02-27T08:00:00Z").started("p"),
        FOO1.at("2021-02-28T08:00:00Z").started("p"),
        FOO1.at("2021-02-28T08:40:00Z").finished("p"));
    assertThat(sent).singleElement().extracting(n -> n.data().get("minutes")).isEqualTo(40L);
  }

  @Test
  void aStartOnOneDeviceIsFinishedOnAnother() {
    List<Notification> sent = run(
        FOO1.onDevice("phone").at("10:00:00").started("p"), FOO1.onDevice("watch").at("10:45:00").finished("p"));
    assertThat(sent).singleElement().extracting(Notification::deviceId).isEqualTo("watch");
  }

  @Test
  void anotherUsersOrProgramsFinishDoesNotMatch() {
    assertThat(run(FOO1.at("10:00:00").started("p"), FOO1.at("10:45:00").finished("q"))).isEmpty();
  }

  @Test
  void theFinishesTitleWinsOverTheStarts() {
    Event finish = FOO1.at("10:45:00").event("training_program_finished",
        java.util.Map.of("programId", "p", "programTitle", "Renamed"));
    assertThat(run(FOO1.at("10:00:00").started("p", "Original"), finish))
        .singleElement().extracting(Notification::message).isEqualTo("You trained 45 minutes with Renamed.");
  }

  @Test
  void aSessionThatNeverEndsExpiresAfterTheConfiguredTime() {
    Replay<DurationState> started = replay(FOO1.at("10:00:00").started("p"));
    assertThat(RULES.nextDue(started.state())).isEqualTo(time("22:00:00"));

    Outcome<DurationState> early = RULES.tick("foo1", started.state(), time("21:59:59"));
    assertThat(early.state()).isEqualTo(started.state());
    Outcome<DurationState> expired = RULES.tick("foo1", started.state(), time("22:00:00"));
    assertThat(expired.state()).isNull();
    assertThat(expired.notifications()).isEmpty();
  }

  @Test
  void aFinishAfterTheSessionExpiredSendsNothing() {
    assertThat(run(FOO1.at("2021-02-28T08:00:00Z").started("p"), FOO1.at("2021-02-28T20:00:00Z").finished("p")))
        .isEmpty();
  }

  @Test
  void aPauseKeepsTheSessionAlive() {
    Replay<DurationState> paused = replay(FOO1.at("10:00:00").started("p"), FOO1.at("11:00:00").paused("p"));
    assertThat(RULES.nextDue(paused.state())).isEqualTo(time("23:00:00"));
  }

  @Test
  void endedSessionsLeaveNoState() {
    assertThat(replay(FOO1.at("10:00:00").started("p"), FOO1.at("10:10:00").cancelled("p")).state()).isNull();
    assertThat(replay(FOO1.at("10:00:00").started("p"), FOO1.at("10:45:00").finished("p")).state()).isNull();
  }

  @Test
  void openSessionsPerUserAreBounded() {
    List<Event> starts = new ArrayList<>();
    for (int i = 0; i < DurationRules.MAX_OPEN_SESSIONS + 5; i++) {
      starts.add(FOO1.at(time("10:00:00").plusSeconds(i)).started("p" + i));
    }
    assertThat(replay(starts.toArray(Event[]::new)).state().sessions()).hasSize(DurationRules.MAX_OPEN_SESSIONS);
  }

  @Test
  void theSameCauseGivesTheSameNotificationId() {
    Event start = FOO1.at("10:00:00").started("p");
    Event finish = FOO1.at("10:45:00").finished("p");
    assertThat(run(start, finish).get(0).id()).isEqualTo(run(start, finish).get(0).id());
    assertThat(run(start, finish).get(0).id()).isNotEqualTo(run(start, FOO1.at("10:45:00").finished("p")).get(0).id());
  }
}
