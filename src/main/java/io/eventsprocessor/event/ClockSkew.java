package io.eventsprocessor.event;

import java.time.Duration;
import java.time.Instant;

/**
 * Corrects a device's timestamps for its wrong clock, as Segment does: when the app says what its clock showed
 * when it sent the request ({@code sentAt}), the difference to the server's receive time is the device's skew
 * (plus the network's latency), and {@code occurredAt + (receivedAt - sentAt)} is when the event happened by the
 * server's clock. An event that still lies more than {@code futureMargin} in the future cannot be right; it is
 * clamped to the receive time, so that one bad stamp cannot push a user's event clock days ahead.
 */
public record ClockSkew(Duration futureMargin) {

  /** The range of four-digit years that every time the rules see lies in (the README's limits). */
  static final Instant FIRST = Instant.parse("0000-01-01T00:00:00Z");
  static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /** The time to judge the event by, and whether it had to be clamped. */
  public record Corrected(Instant occurredAt, boolean clamped) {

    /**
     * Whether the time lies in the years 0000-9999 in UTC. A correction by {@code sentAt} can move a time out of
     * them (a device that claims to send in year 9999), and so can an offset in the first or last hours of the
     * range: such a time is refused, not clamped, since no time in the range would be the right one.
     */
    public boolean withinYears() {
      return !occurredAt.isBefore(FIRST) && !occurredAt.isAfter(LAST);
    }
  }

  /**
   * Times are bounded (years 0 to 9999, see {@link FieldReader}) so that the arithmetic cannot overflow.
   *
   * @param sentAt null when the app did not say; the device's time is then taken as it is
   */
  public Corrected correct(Instant deviceTime, Instant sentAt, Instant receivedAt) {
    Instant time = sentAt == null ? deviceTime : deviceTime.plus(Duration.between(sentAt, receivedAt));
    if (time.isAfter(receivedAt.plus(futureMargin))) {
      return new Corrected(receivedAt, true);
    }
    return new Corrected(time, false);
  }
}
