package io.eventsprocessor.reminder;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.notify.MessageTemplate;
import io.eventsprocessor.program.ProgramEvents;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.StateCodec;
import io.eventsprocessor.rules.UserRules;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The reminder: a user who opens the app and does not start a training program within the configured delay is
 * encouraged to start. Settings under {@code rules.reminder}.
 */
public final class ReminderFamily implements RuleFamily<ReminderState> {
  public static final String NAME = "reminder";
  /** The notification's kind on the wire; receivers already route on it, so it keeps its first name. */
  public static final String KIND = "training_reminder";
  public static final String APP_LAUNCH = "app_launch";
  static final Set<String> PLACEHOLDERS = Set.of("minutes");
  static final String MESSAGE = "Ready when you are: start a training program now, even a short one makes today count!";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<EventSchema> schemas() {
    // The program types too: a program in progress means a launch arms nothing, and a start cancels the reminder.
    return Stream.concat(Stream.of(EventSchema.of(APP_LAUNCH)), ProgramEvents.SCHEMAS.stream()).toList();
  }

  @Override
  public UserRules<ReminderState> configure(ConfigReader settings) {
    return new ReminderRules(new ReminderRules.Settings(
        settings.duration("delay", Duration.ofMinutes(10), Duration.ofMillis(1)),
        settings.duration("sessionExpiry", Duration.ofHours(12), Duration.ofSeconds(1)),
        MessageTemplate.read(settings, "message", MESSAGE, PLACEHOLDERS)));
  }

  @Override
  public StateCodec<ReminderState> codec() {
    return new ReminderStateCodec();
  }
}
