package io.eventsprocessor.shapes;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.notify.Messages;
import io.eventsprocessor.policy.Cap;
import io.eventsprocessor.policy.QuietHours;
import io.eventsprocessor.policy.RulePolicy;
import io.eventsprocessor.rules.RuleDefaults;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * A rule's keys that guard what reaches the user: {@code cap}, {@code quietHours}, {@code skipIfTrainedToday} and
 * {@code priority}, as read from its section, before the rule they may refer to is known.
 *
 * @param cap        null for none ({@code "cap": false}, or not given)
 * @param quietHours null for none ({@code "quietHours": false}, or none in {@code rules.defaults})
 */
record PolicyKeys(Cap cap, QuietHours quietHours, boolean skipIfTrainedToday, int priority) {
  static final int DEFAULT_PRIORITY = 50;

  /**
   * @param action what the rule's shape does by default with a notification due in quiet hours
   */
  static PolicyKeys read(ConfigReader section, RuleDefaults defaults, QuietHours.Action action) {
    Cap cap = null;
    if (section.has("cap") && !section.off("cap")) {
      ConfigReader keys = section.object("cap");
      int count = keys.integer("count", 1, 1, 1000);
      String period = keys.string("period", "P1D");
      Duration rolling = null;
      if (!"P1D".equals(period)) {
        try {
          rolling = period.startsWith("PT") ? Duration.parse(period) : null;
        } catch (DateTimeParseException e) {
          rolling = null;
        }
        if (rolling == null || rolling.isNegative() || rolling.isZero() || rolling.compareTo(Cap.LONGEST) > 0) {
          keys.problem("period", "must be P1D (the user's local day) or a rolling PT… duration of at most "
              + Cap.LONGEST.toHours() + " hours (e.g. PT12H)", period);
        }
      }
      keys.done();
      cap = new Cap(count, rolling);
    }
    QuietHours quiet = null;
    if (!section.off("quietHours")) {
      ConfigReader keys = section.object("quietHours");
      QuietHours.Action chosen = keys.choice("action", action);
      if (defaults.quietHours() != null || keys.has("from") || keys.has("to")) {
        QuietHours base = defaults.quietHours() != null ? defaults.quietHours() : RuleDefaults.DEFAULT.quietHours();
        quiet = RuleDefaults.hours(keys, base).withAction(chosen);
      }
      keys.done();
    }
    boolean skip = section.bool("skipIfTrainedToday", false);
    int priority = section.integer("priority", DEFAULT_PRIORITY, 0, 1000);
    return new PolicyKeys(cap, quiet, skip, priority);
  }

  RulePolicy policy(Set<String> trainingTypes, Messages message, Messages fallbackMessage) {
    return new RulePolicy(priority, cap, quietHours, skipIfTrainedToday ? trainingTypes : Set.of(), message,
        fallbackMessage);
  }
}
