package io.eventsprocessor.rules;

import java.time.Instant;

/**
 * A user's event clock: it stands at the timestamp of the user's latest event and, between events, moves on
 * with real time. Rules judge time by it, so a device clock that is hours off shifts every timestamp of that
 * user alike and changes nothing, and a replay of old events fires what fell due in between, in order.
 *
 * @param eventMillis the user's time at the anchor, in epoch millis of the device's clock
 * @param realMillis  the server's time at the anchor
 */
public record UserClock(long eventMillis, long realMillis) {

  public static UserClock startingAt(Instant occurredAt, long realNow) {
    return new UserClock(occurredAt.toEpochMilli(), realNow);
  }

  /** The user's time now. Never runs backwards, even if the server's clock does. */
  public Instant now(long realNow) {
    return Instant.ofEpochMilli(eventMillis + Math.max(0, realNow - realMillis));
  }

  /**
   * The clock after an event stamped {@code occurredAt} arrives: it jumps forward to the event's time, and a
   * late event (stamped before the clock) leaves it where it is.
   */
  public UserClock observe(Instant occurredAt, long realNow) {
    long estimate = eventMillis + Math.max(0, realNow - realMillis);
    return new UserClock(Math.max(estimate, occurredAt.toEpochMilli()), realNow);
  }

  /** The first server millisecond at which this clock shows {@code eventTime} or later. */
  public long realTimeOf(Instant eventTime) {
    long eventTimeMillis = eventTime.toEpochMilli() + (eventTime.getNano() % 1_000_000 == 0 ? 0 : 1);
    return realMillis + (eventTimeMillis - eventMillis);
  }
}
