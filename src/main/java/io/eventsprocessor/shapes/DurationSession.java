package io.eventsprocessor.shapes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One started, not yet ended session of a duration rule (a program's run, a yoga session).
 *
 * @param key            the value of the rule's {@code session} data field ("" when the rule names none)
 * @param data           the start's other declared data fields, by the rule's field order: null when it declares
 *                       none, the value itself for one, a list for several (no allocation for the usual one)
 * @param pausedAt       when the current pause began, or null while running
 * @param pausedFor      the total of the pauses that have ended
 * @param lastActivityAt the latest start, pause or resume; the session expires a configured time after it
 */
public record DurationSession(
    String key,
    Object data,
    String startEventId,
    Instant startedAt,
    Instant pausedAt,
    Duration pausedFor,
    Instant lastActivityAt) {

  static DurationSession started(String key, Object data, String eventId, Instant at) {
    return new DurationSession(key, data, eventId, at, null, Duration.ZERO, at);
  }

  /** The start's value of the rule's {@code i}th field, of {@code count}; null when the start did not carry it. */
  String field(int i, int count) {
    if (data == null) {
      return null;
    }
    return count == 1 ? (String) data : (String) ((List<?>) data).get(i);
  }

  boolean isPaused() {
    return pausedAt != null;
  }

  DurationSession pause(Instant at) {
    return new DurationSession(key, data, startEventId, startedAt, at, pausedFor, at);
  }

  DurationSession resume(Instant at) {
    return new DurationSession(key, data, startEventId, startedAt, null, pausedFor.plus(nonNegative(pausedAt, at)), at);
  }

  /** Time from the start until {@code end}, without the pauses (an open pause ends at {@code end}). */
  Duration lastedUntil(Instant end) {
    Duration paused = isPaused() ? pausedFor.plus(nonNegative(pausedAt, end)) : pausedFor;
    return Duration.between(startedAt, end).minus(paused);
  }

  /** A pause whose end is stamped before its start (a late or skewed event) counts as none. */
  private static Duration nonNegative(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
