package io.eventsprocessor.reminder;

import static io.eventsprocessor.TestEvents.time;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.TestEvents;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.rules.Outcome;
import io.eventsprocessor.rules.Replay;
import io.eventsprocessor.shapes.AbsenceRules;
import io.eventsprocessor.shapes.AbsenceState;
import io.eventsprocessor.shapes.ConfiguredRules;
import io.vertx.core.json.JsonObject;
import io.eventsprocessor.notify.Notification;
import org.junit.jupiter.api.Test;

class ReminderRulesTest {
  /** The shipped reminder, as configured: 10 minutes, programs in progress expiring after 12 hours. */
  static final AbsenceRules RULES = ConfiguredRules.rules("reminder",
      new JsonObject().put("message", "Start now! ({minutes} minutes since you opened the app)"));

  static final TestEvents FOO2 = TestEvents.of("foo2");

  static Replay<AbsenceState> replay(Event... events) {
    return Replay.of(RULES, events);
  }

  static Outcome<AbsenceState> tick(AbsenceState state, String at) {
    return RULES.tick("foo2", state, time(at));
  }

  @Test
  void aLaunchArmsAReminderDueAfterTheDelay() {
    Replay<AbsenceState> launched = replay(FOO2.at("16:22:52").launch());
    assertThat(launched.notifications()).isEmpty();
    assertThat(RULES.nextDue(launched.state())).isEqualTo(time("16:32:52"));
  }

  @Test
  void theReminderIsSentWhenTheUsersClockReachesTheDueTime() {
    Event launch = FOO2.at("16:22:52").launch();
    AbsenceState state = replay(launch).state();

    assertThat(tick(state, "16:32:51").notifications()).isEmpty();
    Outcome<AbsenceState> due = tick(state, "16:32:52");
    assertThat(due.notifications()).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo("training_reminder");
      assertThat(n.userId()).isEqualTo("foo2");
      assertThat(n.deviceId()).isEqualTo(launch.deviceId());
      assertThat(n.triggeredBy()).isEqualTo(launch.id());
      assertThat(n.message()).isEqualTo("Start now! (10 minutes since you opened the app)");
      assertThat(n.data()).containsEntry("launchedAt", "2021-02-28T16:22:52Z");
    });
    assertThat(due.state()).isNull();
  }

  @Test
  void aReminderThatFiredIsNotSentAgain() {
    Outcome<AbsenceState> due = tick(replay(FOO2.at("16:22:52").launch()).state(), "16:33:00");
    assertThat(due.notifications()).hasSize(1);
    assertThat(due.state()).isNull();
  }

  @Test
  void aStartBeforeTheDueTimeCancelsIt() {
    Replay<AbsenceState> replay = replay(FOO2.at("16:22:52").launch(), FOO2.at("16:32:51").started("2352"));
    assertThat(replay.notifications()).isEmpty();
    assertThat(replay.state().isPending()).isFalse();
    assertThat(tick(replay.state(), "16:40:00").notifications()).isEmpty();
  }

  @Test
  void onlyAStartInsideTheWindowCancelsIt() {
    Event launch = FOO2.at("2021-03-01T10:00:00Z").launch();
    // Stamped before the launch and arriving late: the user may have trained yesterday; the reminder stays.
    assertThat(replay(launch, FOO2.at("2021-02-28T16:23:00Z").started("p")).state().isPending()).isTrue();
    assertThat(replay(launch, FOO2.at("2021-03-01T09:59:59Z").started("p")).state().isPending()).isTrue();
    // At the launch, inside, and up to the last instant before the due time: cancelled.
    assertThat(replay(launch, FOO2.at("2021-03-01T10:00:00Z").started("p")).state().isPending()).isFalse();
    assertThat(replay(launch, FOO2.at("2021-03-01T10:05:00Z").started("p")).state().isPending()).isFalse();
    assertThat(replay(launch, FOO2.at("2021-03-01T10:09:59.999Z").started("p")).state().isPending()).isFalse();
    // At the due time: too late, the reminder is sent before the start is applied.
    assertThat(replay(launch, FOO2.at("2021-03-01T10:10:00Z").started("p")).notifications()).hasSize(1);
  }

  @Test
  void aLaterEventShowingTheDueTimePassedSendsTheReminderBeforeItIsApplied() {
    // The task's example: foo2 opened the app at 16:22:52 and started only at 16:52:00.
    Replay<AbsenceState> replay = replay(FOO2.at("16:22:52").launch(), FOO2.at("16:52:00").started("2352"));
    assertThat(replay.notifications()).singleElement().extracting(Notification::kind).isEqualTo("training_reminder");
    assertThat(replay.state().isPending()).isFalse();
  }

  @Test
  void aStartExactlyAtTheDueTimeComesTooLate() {
    assertThat(replay(FOO2.at("16:22:52").launch(), FOO2.at("16:32:52").started("2352")).notifications()).hasSize(1);
  }

  @Test
  void aSecondLaunchWhileOneIsPendingKeepsTheFirstDueTime() {
    Event first = FOO2.at("16:00:00").launch();
    Replay<AbsenceState> replay = replay(first, FOO2.at("16:08:00").launch());
    assertThat(RULES.nextDue(replay.state())).isEqualTo(time("16:10:00"));

    Outcome<AbsenceState> due = tick(replay.state(), "16:10:00");
    assertThat(due.notifications()).singleElement().extracting(Notification::triggeredBy).isEqualTo(first.id());
    assertThat(due.state()).isNull();
  }

  @Test
  void aLaunchWhileAProgramIsInProgressArmsNothing() {
    Replay<AbsenceState> replay = replay(FOO2.at("16:00:00").started("p"), FOO2.at("16:05:00").launch());
    assertThat(replay.state().isPending()).isFalse();
    assertThat(tick(replay.state(), "16:30:00").notifications()).isEmpty();
  }

  @Test
  void aPausedProgramIsStillInProgress() {
    Replay<AbsenceState> replay = replay(FOO2.at("16:00:00").started("p"), FOO2.at("16:03:00").paused("p"), FOO2.at("16:05:00").launch());
    assertThat(replay.state().isPending()).isFalse();
  }

  @Test
  void aLaunchAfterTheProgramEndedArmsAgain() {
    assertThat(replay(FOO2.at("16:00:00").started("p"), FOO2.at("16:40:00").finished("p"), FOO2.at("17:00:00").launch())
        .state().isPending()).isTrue();
    assertThat(replay(FOO2.at("16:00:00").started("p"), FOO2.at("16:10:00").cancelled("p"), FOO2.at("17:00:00").launch())
        .state().isPending()).isTrue();
  }

  @Test
  void aProgramThatNeverEndsStopsCountingAsInProgressAfterTheSessionExpiry() {
    Replay<AbsenceState> started = replay(FOO2.at("2021-02-28T08:00:00Z").started("p"));
    assertThat(RULES.nextDue(started.state())).isEqualTo(time("20:00:00"));
    assertThat(tick(started.state(), "20:00:00").state()).isNull();

    Replay<AbsenceState> later = replay(FOO2.at("2021-02-28T08:00:00Z").started("p"), FOO2.at("2021-02-28T21:00:00Z").launch());
    assertThat(later.state().isPending()).isTrue();
  }

  @Test
  void aNewLaunchAfterAReminderFiredArmsANewOne() {
    Event second = FOO2.at("17:00:00").launch();
    Replay<AbsenceState> replay = replay(FOO2.at("16:00:00").launch(), second);
    assertThat(replay.notifications()).hasSize(1);
    assertThat(replay.state().isPending()).isTrue();
    assertThat(replay.state().triggerEventId()).isEqualTo(second.id());
  }

  @Test
  void aUserWithNothingPendingKeepsNoState() {
    assertThat(replay(FOO2.at("16:00:00").finished("p")).state()).isNull();
    assertThat(replay(FOO2.at("16:00:00").launch(), FOO2.at("16:01:00").started("p"), FOO2.at("16:40:00").finished("p"))
        .state()).isNull();
  }

  @Test
  void theSameLaunchGivesTheSameReminderId() {
    Event launch = FOO2.at("16:00:00").launch();
    String once = tick(replay(launch).state(), "16:10:00").notifications().get(0).id();
    String again = replay(launch, FOO2.at("16:20:00").launch()).notifications().get(0).id();
    assertThat(again).isEqualTo(once);
  }
}
