package io.eventsprocessor.rules;

import io.eventsprocessor.notify.Notification;
import java.util.ArrayList;
import java.util.List;

/**
 * What applying a rule to one user's state gives: the new state (null when nothing is left to keep),
 * the notifications to send, in order, and the decision in a few words for the log.
 *
 * @param notable whether the decision is worth a line at INFO (armed, cancelled, sent); others go to DEBUG
 */
public record Outcome<S>(S state, List<Notification> notifications, String decision, boolean notable) {

  public Outcome {
    notifications = List.copyOf(notifications);
  }

  /** A routine step, logged at DEBUG. */
  public static <S> Outcome<S> quiet(S state, String decision) {
    return new Outcome<>(state, List.of(), decision, false);
  }

  /** A decision that matters, logged at INFO. */
  public static <S> Outcome<S> notable(S state, String decision) {
    return new Outcome<>(state, List.of(), decision, true);
  }

  public static <S> Outcome<S> sending(S state, Notification notification, String decision) {
    return new Outcome<>(state, List.of(notification), decision, true);
  }

  /** This outcome preceded by an earlier one's notifications and decision (e.g. a reminder that fell due first). */
  public Outcome<S> after(Outcome<?> earlier) {
    if (earlier == null) {
      return this;
    }
    List<Notification> all = new ArrayList<>(earlier.notifications());
    all.addAll(notifications);
    return new Outcome<>(state, all, earlier.decision() + "; then " + decision, notable || earlier.notable());
  }
}
