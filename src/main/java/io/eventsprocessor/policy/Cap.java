package io.eventsprocessor.policy;

import java.time.Duration;

/**
 * At most {@code count} notifications of a rule per period: the user's local calendar day, or a rolling window.
 *
 * @param rolling the window's length; null for the user's local day ({@code P1D})
 */
public record Cap(int count, Duration rolling) {
  /** The longest rolling window: a user's marks are kept that long (see {@link Marks}). */
  public static final Duration LONGEST = Duration.ofDays(7);

  public static Cap perDay(int count) {
    return new Cap(count, null);
  }

  @Override
  public String toString() {
    return count + " per " + (rolling == null ? "local day" : rolling.toString());
  }
}
