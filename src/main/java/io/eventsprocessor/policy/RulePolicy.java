package io.eventsprocessor.policy;

import io.eventsprocessor.notify.Messages;
import io.eventsprocessor.notify.Notification;
import java.util.Set;

/**
 * What one rule's notifications must respect before they reach the user, and the words they reach it in.
 *
 * @param priority           lower goes first when a step decides several notifications, and so takes the day's
 *                           last places under {@code rules.defaults.maxPerDay}; ties go by the rules' order
 * @param cap                the rule's own cap; null for none
 * @param quietHours         the hours it keeps quiet in, with what it does with a notification due inside; null
 *                           for none
 * @param trainingTypes      the event types that mean "the user trained": a notification due on a local day with
 *                           one of them is skipped; empty when the rule does not skip (see {@code skipIfTrainedToday})
 * @param message            the message in each language written
 * @param fallbackMessage    the message when a value the first uses is missing; null when it uses none that may be
 */
public record RulePolicy(int priority, Cap cap, QuietHours quietHours, Set<String> trainingTypes, Messages message,
    Messages fallbackMessage) {

  public RulePolicy {
    trainingTypes = Set.copyOf(trainingTypes);
  }

  public boolean skipIfTrainedToday() {
    return !trainingTypes.isEmpty();
  }

  /**
   * The notification with its message in the user's language: the message's text for that language, or the fallback's
   * when the notification lacks a value the message uses.
   *
   * @param locale the user's language tag
   */
  public Notification inLanguage(Notification notification, String locale) {
    Messages messages = fallbackMessage != null
        && !notification.data().keySet().containsAll(message.pick(locale).template().placeholders())
        ? fallbackMessage : message;
    Messages.Picked picked = messages.pick(locale);
    return notification.inLanguage(picked.template().render(notification.data()), picked.locale());
  }
}
