package io.eventsprocessor.congratulation;

import java.time.Duration;
import java.time.Instant;

/**
 * One started, not yet ended run of a program by a user.
 *
 * @param pausedAt       when the current pause began, or null while training
 * @param pausedFor      the total of the pauses that have ended
 * @param lastActivityAt the latest start, pause or resume; the session expires a configured time after it
 */
public record TrainingSession(
    String programId,
    String programTitle,
    String startEventId,
    Instant startedAt,
    Instant pausedAt,
    Duration pausedFor,
    Instant lastActivityAt) {

  static TrainingSession started(String programId, String programTitle, String eventId, Instant at) {
    return new TrainingSession(programId, programTitle, eventId, at, null, Duration.ZERO, at);
  }

  boolean isPaused() {
    return pausedAt != null;
  }

  TrainingSession pause(Instant at) {
    return new TrainingSession(programId, programTitle, startEventId, startedAt, at, pausedFor, at);
  }

  TrainingSession resume(Instant at) {
    return new TrainingSession(programId, programTitle, startEventId, startedAt, null, pausedFor.plus(nonNegative(pausedAt, at)), at);
  }

  /** Time spent training from the start until {@code end}, without the pauses (an open pause ends at {@code end}). */
  Duration trainedUntil(Instant end) {
    Duration paused = isPaused() ? pausedFor.plus(nonNegative(pausedAt, end)) : pausedFor;
    return Duration.between(startedAt, end).minus(paused);
  }

  /** A pause whose end is stamped before its start (a late or skewed event) counts as none. */
  private static Duration nonNegative(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
