package io.eventsprocessor.rules;

import io.eventsprocessor.event.Event;
import java.time.Instant;

/**
 * A family's rules over one user's state: plain Java, no I/O, no clock reads. Time comes in as the event's
 * timestamp or as the user's event clock. Implementations are values (records of their settings), so that the
 * same config gives equal rules.
 *
 * @param <S> the immutable per-user state; null means the user has nothing pending
 */
public interface UserRules<S> {

  /** Applies one event of the user, of a type the family declared. */
  Outcome<S> apply(S state, Event event);

  /** Lets time pass: the user's event clock has reached {@code now} with no new event. */
  Outcome<S> tick(String userId, S state, Instant now);

  /** When, on the user's event clock, {@link #tick} next has something to do; null for never. */
  Instant nextDue(S state);
}
