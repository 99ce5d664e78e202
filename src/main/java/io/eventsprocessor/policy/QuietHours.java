package io.eventsprocessor.policy;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Hours of the user's local day in which no notification reaches them: one due inside is dropped or deferred to the
 * hours' end. {@code from} after {@code to} spans midnight (22:00–07:00); equal ones are no quiet hours at all.
 */
public record QuietHours(LocalTime from, LocalTime to, Action action) {
  /** What becomes of a notification due inside the hours. */
  public enum Action {
    /** It is not sent: "start now" is stale by morning. */
    drop,
    /** It waits for the hours' end, then goes out with the same id. */
    defer
  }

  public QuietHours withAction(Action other) {
    return new QuietHours(from, to, other);
  }

  /** Whether the local time is inside the hours. */
  public boolean contains(LocalTime time) {
    if (from.equals(to)) {
      return false;
    }
    return from.isBefore(to)
        ? !time.isBefore(from) && time.isBefore(to)
        : !time.isBefore(from) || time.isBefore(to);
  }

  /** The first instant after {@code at} at which the user's local clock shows {@code to}: the hours' end. */
  public Instant endAfter(Instant at, ZoneId zone) {
    ZonedDateTime local = at.atZone(zone);
    ZonedDateTime end = ZonedDateTime.of(local.toLocalDate(), to, zone);
    return end.toInstant().isAfter(at) ? end.toInstant() : ZonedDateTime.of(local.toLocalDate().plusDays(1), to, zone)
        .toInstant();
  }

  @Override
  public String toString() {
    return from + "–" + to;
  }
}
