package io.eventsprocessor.shapes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A user's open sessions in one duration rule, at most one per session key, oldest activity first. */
public record DurationState(List<DurationSession> sessions) {

  public DurationState {
    sessions = List.copyOf(sessions);
  }

  static final DurationState EMPTY = new DurationState(List.of());

  static DurationState of(DurationState state) {
    return state == null ? EMPTY : state;
  }

  DurationSession find(String key) {
    for (DurationSession s : sessions) {
      if (s.key().equals(key)) {
        return s;
      }
    }
    return null;
  }

  DurationState without(String key) {
    if (find(key) == null) {
      return this;
    }
    return new DurationState(sessions.stream().filter(s -> !s.key().equals(key)).toList());
  }

  /** Puts the session in place of any other of its key, dropping the oldest beyond {@code max}. */
  DurationState with(DurationSession session, int max) {
    List<DurationSession> next = new ArrayList<>(without(session.key()).sessions);
    next.add(session);
    while (next.size() > max) {
      next.remove(0);
    }
    return new DurationState(next);
  }

  /** Drops the sessions with no activity for {@code expiry} at time {@code now}. */
  DurationState expire(Instant now, Duration expiry) {
    // Nearly always nothing expires: keep this state rather than copy it.
    boolean anyExpired = false;
    for (DurationSession s : sessions) {
      anyExpired |= !s.lastActivityAt().plus(expiry).isAfter(now);
    }
    if (!anyExpired) {
      return this;
    }
    return new DurationState(sessions.stream().filter(s -> s.lastActivityAt().plus(expiry).isAfter(now)).toList());
  }

  /** When the first of the sessions expires, or null when there are none. */
  Instant firstExpiry(Duration expiry) {
    return sessions.stream().map(DurationSession::lastActivityAt).min(Comparator.naturalOrder())
        .map(at -> at.plus(expiry)).orElse(null);
  }

  /** Null when empty: a user with no open session costs no memory. */
  DurationState orNull() {
    return sessions.isEmpty() ? null : this;
  }
}
