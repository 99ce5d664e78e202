package io.eventsprocessor.nudge;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.DataField;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.notify.MessageTemplate;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.program.ProgramEvents;
import io.eventsprocessor.rules.Outcome;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.StateCodec;
import io.eventsprocessor.rules.UserRules;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A rule family that exists only in the tests, to prove that a family is one package and one registration: a user
 * who gives up on programs several times in a row (cancels, or skips with the app's "skip" button, an event type
 * only this family knows) gets a nudge. Nothing under src/main mentions it. Settings under {@code rules.nudge}.
 */
public final class NudgeFamily implements RuleFamily<NudgeFamily.Streak> {
  public static final String KIND = "training_nudge";
  /** The app's "skip today's program" button: a type of this family's own. */
  public static final String SKIPPED = "training_program_skipped";

  /** Give-ups in a row, and when the last one happened; forgotten {@code window} after it. */
  public record Streak(int giveUps, Instant lastAt) {}

  /**
   * @param after   give-ups in a row that earn a nudge
   * @param window  how long a streak lasts without a new give-up
   * @param message the text, with {count} and {reason}
   */
  public record Settings(int after, Duration window, MessageTemplate message) {}

  @Override
  public String name() {
    return "nudge";
  }

  @Override
  public java.util.List<EventSchema> schemas() {
    DataField reason = DataField.optional("reason", 64);
    return java.util.List.of(
        EventSchema.of(ProgramEvents.CANCELLED, reason.legacy("cancel_reason")),
        EventSchema.of(ProgramEvents.FINISHED),
        EventSchema.of(SKIPPED, DataField.required("programId", 128).legacy("training_program_id"),
            reason.legacy("skip_reason")));
  }

  @Override
  public UserRules<Streak> configure(ConfigReader settings) {
    return new Rules(new Settings(
        settings.integer("after", 3, 2, 100),
        settings.duration("window", Duration.ofHours(24), Duration.ofMinutes(1)),
        MessageTemplate.read(settings, "message", "{count} programs given up in a row ({reason}): how about a shorter one?",
            Set.of("count", "reason"))));
  }

  @Override
  public StateCodec<Streak> codec() {
    return new StateCodec<>() {
      @Override
      public JsonObject encode(Streak state) {
        return new JsonObject().put("giveUps", state.giveUps()).put("lastAt", state.lastAt().toString());
      }

      @Override
      public Streak decode(JsonObject json) {
        return new Streak(json.getInteger("giveUps"), Instant.parse(json.getString("lastAt")));
      }
    };
  }

  record Rules(Settings settings) implements UserRules<Streak> {
    @Override
    public Outcome<Streak> apply(Streak state, Event event) {
      Streak current = state == null || !event.occurredAt().isBefore(nextDue(state)) ? null : state;
      if (event.type().equals(ProgramEvents.FINISHED)) {
        return Outcome.quiet(null, "a finished program ends the streak");
      }
      int giveUps = (current == null ? 0 : current.giveUps()) + 1;
      if (giveUps < settings.after()) {
        return Outcome.quiet(new Streak(giveUps, event.occurredAt()), giveUps + " give-up(s) in a row");
      }
      String reason = event.dataString("reason") == null ? "no reason given" : event.dataString("reason");
      Map<String, Object> values = Map.of("count", giveUps, "reason", reason);
      Notification nudge = Notification.of(KIND, event.userId(), event.deviceId(), settings.message().render(values),
          values, event.id());
      return Outcome.sending(null, nudge, () -> "nudge " + nudge.id() + " after " + giveUps + " give-ups");
    }

    @Override
    public Outcome<Streak> tick(String userId, Streak state, Instant now) {
      return Outcome.quiet(null, "the streak is over");
    }

    @Override
    public Instant nextDue(Streak state) {
      return state.lastAt().plus(settings.window());
    }
  }
}
