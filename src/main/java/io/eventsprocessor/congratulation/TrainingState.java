package io.eventsprocessor.congratulation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A user's open training sessions, at most one per program, oldest activity first. */
public record TrainingState(List<TrainingSession> sessions) {

  public TrainingState {
    sessions = List.copyOf(sessions);
  }

  private static final TrainingState EMPTY = new TrainingState(List.of());

  static TrainingState of(TrainingState state) {
    return state == null ? EMPTY : state;
  }

  TrainingSession find(String programId) {
    for (TrainingSession s : sessions) {
      if (s.programId().equals(programId)) {
        return s;
      }
    }
    return null;
  }

  TrainingState without(String programId) {
    if (find(programId) == null) {
      return this;
    }
    return new TrainingState(sessions.stream().filter(s -> !s.programId().equals(programId)).toList());
  }

  /** Puts the session in place of any other of its program, dropping the oldest beyond {@code max}. */
  TrainingState with(TrainingSession session, int max) {
    List<TrainingSession> next = new ArrayList<>(without(session.programId()).sessions);
    next.add(session);
    while (next.size() > max) {
      next.remove(0);
    }
    return new TrainingState(next);
  }

  /** Drops the sessions with no activity for {@code expiry} at time {@code now}. */
  TrainingState expire(Instant now, Duration expiry) {
    // Nearly always nothing expires: keep this state rather than copy it.
    boolean anyExpired = false;
    for (TrainingSession s : sessions) {
      anyExpired |= !s.lastActivityAt().plus(expiry).isAfter(now);
    }
    if (!anyExpired) {
      return this;
    }
    return new TrainingState(sessions.stream().filter(s -> s.lastActivityAt().plus(expiry).isAfter(now)).toList());
  }

  /** When the first of the sessions expires, or null when there are none. */
  Instant firstExpiry(Duration expiry) {
    return sessions.stream().map(TrainingSession::lastActivityAt).min(Comparator.naturalOrder())
        .map(at -> at.plus(expiry)).orElse(null);
  }

  /** Null when empty: a user with no open session costs no memory. */
  TrainingState orNull() {
    return sessions.isEmpty() ? null : this;
  }
}
