package io.eventsprocessor.handler;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventSchema;
import java.time.Instant;
import java.util.List;

/**
 * A family of rules over one user's state: plain Java, no I/O, no clock reads. Time comes in as the
 * event's timestamp or as the user's event clock.
 *
 * @param <S> the immutable per-user state; null means the user has nothing pending
 */
public interface UserRules<S> {

  /** The event types these rules consume, with the data each requires. */
  List<EventSchema> schemas();

  /** Applies one event of the user. */
  Outcome<S> apply(S state, Event event);

  /** Lets time pass: the user's event clock has reached {@code now} with no new event. */
  Outcome<S> tick(String userId, S state, Instant now);

  /** When, on the user's event clock, {@link #tick} next has something to do; null for never. */
  Instant nextDue(S state);
}
