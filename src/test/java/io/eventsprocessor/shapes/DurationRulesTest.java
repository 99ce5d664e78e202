package io.eventsprocessor.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.TestEvents;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.Replay;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The duration shape's options the shipped congratulation does not use. */
class DurationRulesTest {
  static final TestEvents FOO = TestEvents.of("foo");

  @Test
  void withoutASessionFieldAnyStartAndEndMakeOneSession() {
    JsonObject section = ShapesConfigTest.longRun().put("message", "{minutes} minutes!");
    section.remove("session");
    DurationRules rules = ConfiguredRules.rules("long_run", section);
    assertThat(Replay.of(rules, FOO.at("10:00:00").started("p"), FOO.at("11:01:00").finished("q")).notifications())
        .singleElement().extracting(Notification::message).isEqualTo("61 minutes!");
  }

  @Test
  void theMessageNamesTheSessionAndTheStartsFields() {
    DurationRules rules = ConfiguredRules.rules("long_run", ShapesConfigTest.longRun()
        .put("message", "{minutes} minutes of {programTitle} ({programId})").put("fallbackMessage", "{minutes} minutes"));
    assertThat(Replay.of(rules, FOO.at("10:00:00").started("p", "Yoga"), FOO.at("11:01:00").finished("p"))
        .notifications()).singleElement().extracting(Notification::message).isEqualTo("61 minutes of Yoga (p)");
  }

  @Test
  void itsStateIsSavedAndRestored() {
    DurationRules shipped = ConfiguredRules.rules("congratulation", new JsonObject());
    DurationState state = Replay.of(shipped,
        FOO.at("10:00:00").started("p", "Yoga"), FOO.at("10:10:00").paused("p")).state();
    DurationStateCodec codec = new DurationStateCodec();
    assertThat(codec.decode(new JsonObject(codec.encode(state).encode()))).isEqualTo(state);
  }
}
