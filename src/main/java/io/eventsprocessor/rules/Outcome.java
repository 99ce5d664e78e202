package io.eventsprocessor.rules;

import io.eventsprocessor.notify.Notification;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What applying a rule to one user's state gives: the new state (null when nothing is left to keep),
 * the notifications to send, in order, and the decision in a few words for the log.
 *
 * <p>The decision is written only if the log will show it: it is built from a supplier, because formatting times
 * and ids for every event costs more than deciding, and the log of a busy node is usually at WARN.
 *
 * @param notable whether the decision is worth a line at INFO (armed, cancelled, sent); others go to DEBUG
 */
public record Outcome<S>(S state, List<Notification> notifications, Supplier<String> reason, boolean notable) {

  public Outcome {
    notifications = List.copyOf(notifications);
  }

  /** The decision in a few words. */
  public String decision() {
    return reason.get();
  }

  /** A routine step, logged at DEBUG. */
  public static <S> Outcome<S> quiet(S state, Supplier<String> decision) {
    return new Outcome<>(state, List.of(), decision, false);
  }

  public static <S> Outcome<S> quiet(S state, String decision) {
    return quiet(state, () -> decision);
  }

  /** A decision that matters, logged at INFO. */
  public static <S> Outcome<S> notable(S state, Supplier<String> decision) {
    return new Outcome<>(state, List.of(), decision, true);
  }

  public static <S> Outcome<S> notable(S state, String decision) {
    return notable(state, () -> decision);
  }

  public static <S> Outcome<S> sending(S state, Notification notification, Supplier<String> decision) {
    return new Outcome<>(state, List.of(notification), decision, true);
  }

  /** This outcome preceded by an earlier one's notifications and decision (e.g. a reminder that fell due first). */
  public Outcome<S> after(Outcome<?> earlier) {
    if (earlier == null) {
      return this;
    }
    List<Notification> all = new ArrayList<>(earlier.notifications());
    all.addAll(notifications);
    return new Outcome<>(state, all, () -> earlier.decision() + "; then " + decision(), notable || earlier.notable());
  }
}
