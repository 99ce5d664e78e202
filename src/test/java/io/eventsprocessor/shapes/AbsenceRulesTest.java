package io.eventsprocessor.shapes;

import static io.eventsprocessor.TestEvents.time;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.TestEvents;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.Replay;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The absence shape's options the shipped reminder does not use: a match field and a restarting trigger. */
class AbsenceRulesTest {
  static final TestEvents FOO = TestEvents.of("foo");

  static AbsenceRules pausedNudge(JsonObject overrides) {
    return ConfiguredRules.rules("paused_nudge", ShapesConfigTest.pausedNudge().mergeIn(overrides));
  }

  static final AbsenceRules NUDGE = pausedNudge(new JsonObject());

  @Test
  void aPauseNotFollowedByItsProgramsResumeWithinTheWindowIsNudged() {
    Replay<AbsenceState> replay = Replay.of(NUDGE, FOO.at("10:00:00").paused("p"), FOO.at("10:10:00").resumed("q"));
    assertThat(NUDGE.nextDue(replay.state())).isEqualTo(time("10:15:00"));
    assertThat(NUDGE.tick("foo", replay.state(), time("10:15:00")).notifications()).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo("training_paused_nudge");
      assertThat(n.message()).isEqualTo("Your training is paused: pick up where you left off!");
      assertThat(n.data()).containsEntry("minutes", 15L).containsEntry("programId", "p")
          .containsEntry("triggeredAt", "2021-02-28T10:00:00Z");
    });
  }

  @Test
  void onlyTheSameProgramsEventCancels() {
    assertThat(Replay.of(NUDGE, FOO.at("10:00:00").paused("p"), FOO.at("10:14:59").finished("p")).state()).isNull();
    assertThat(Replay.of(NUDGE, FOO.at("10:00:00").paused("p"), FOO.at("10:14:59").cancelled("q")).state().isPending())
        .isTrue();
  }

  @Test
  void aCancellingEventStampedBeforeTheTriggerDoesNotCancel() {
    Replay<AbsenceState> replay = Replay.of(NUDGE, FOO.at("10:00:00").paused("p"), FOO.at("09:59:00").resumed("p"));
    assertThat(replay.state().isPending()).isTrue();
  }

  @Test
  void aSecondTriggerKeepsTheFirstDueTimeOrRestartsItAsConfigured() {
    assertThat(NUDGE.nextDue(Replay.of(NUDGE, FOO.at("10:00:00").paused("p"), FOO.at("10:10:00").paused("q")).state()))
        .isEqualTo(time("10:15:00"));
    AbsenceRules restarting = pausedNudge(new JsonObject().put("secondTrigger", "restart"));
    Replay<AbsenceState> restarted = Replay.of(restarting, FOO.at("10:00:00").paused("p"), FOO.at("10:10:00").paused("q"));
    assertThat(restarting.nextDue(restarted.state())).isEqualTo(time("10:25:00"));
    // The pending one is now q's: p's resume does not cancel it.
    assertThat(Replay.of(restarting, FOO.at("10:00:00").paused("p"), FOO.at("10:10:00").paused("q"),
        FOO.at("10:20:00").resumed("p"), FOO.at("10:30:00").launch()).notifications())
        .singleElement().extracting(Notification::data).satisfies(d -> assertThat(d).containsEntry("programId", "q"));
  }

  @Test
  void itsStateIsSavedAndRestored() {
    AbsenceState state = Replay.of(NUDGE, FOO.at("10:00:00").paused("p")).state();
    AbsenceStateCodec codec = new AbsenceStateCodec();
    assertThat(codec.decode(new JsonObject(codec.encode(state).encode()))).isEqualTo(state);
  }
}
