package io.eventsprocessor.rules;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.Notification;
import java.util.ArrayList;
import java.util.List;

/** The state and the notifications after applying events in order, from no state, to a rule family. */
public record Replay<S>(S state, List<Notification> notifications) {

  @SafeVarargs
  public static <S> Replay<S> of(UserRules<S> rules, Event... events) {
    S state = null;
    List<Notification> sent = new ArrayList<>();
    for (Event e : events) {
      Outcome<S> outcome = rules.apply(state, e);
      state = outcome.state();
      sent.addAll(outcome.notifications());
    }
    return new Replay<>(state, sent);
  }
}
