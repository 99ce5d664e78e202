package io.eventsprocessor.congratulation;

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

/**
 * The congratulation: a user who finishes a training program after training longer than the configured minimum is
 * congratulated. Settings under {@code rules.congratulation}.
 */
public final class CongratulationFamily implements RuleFamily<TrainingState> {
  public static final String NAME = "congratulation";
  /** The notification's kind on the wire; receivers already route on it, so it keeps its first name. */
  public static final String KIND = "training_congratulation";
  static final Set<String> PLACEHOLDERS = Set.of("minutes", "programTitle");
  static final String MESSAGE =
      "Congratulations! You trained for {minutes} minutes with {programTitle} today: that is your daily training dose done.";
  static final String MESSAGE_WITHOUT_TITLE =
      "Congratulations! You trained for {minutes} minutes today: that is your daily training dose done.";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<EventSchema> schemas() {
    return ProgramEvents.SCHEMAS;
  }

  @Override
  public UserRules<TrainingState> configure(ConfigReader settings) {
    return new CongratulationRules(new CongratulationRules.Settings(
        settings.duration("minDuration", Duration.ofMinutes(30), Duration.ZERO),
        settings.duration("sessionExpiry", Duration.ofHours(12), Duration.ofSeconds(1)),
        MessageTemplate.read(settings, "message", MESSAGE, PLACEHOLDERS),
        MessageTemplate.read(settings, "messageWithoutTitle", MESSAGE_WITHOUT_TITLE, PLACEHOLDERS)));
  }

  @Override
  public StateCodec<TrainingState> codec() {
    return new TrainingStateCodec();
  }

}
