package io.eventsprocessor.time;

import java.time.Clock;

/**
 * One timer for many due times: kept armed for the earliest time its owner asks for, so that a million users with
 * something due cost one timer, not a million. The owner calls {@link #require} whenever its earliest due time
 * may have moved earlier, and again from {@code onDue} for what is left. Used from one context only.
 */
public final class DueTimer {
  /** "Nothing is due": also what an owner with nothing pending passes to {@link #require}. */
  public static final long NEVER = Long.MAX_VALUE;

  private final Timers timers;
  private final Clock clock;
  private final Runnable onDue;
  private long timerId = -1;
  private long armedAt = NEVER;

  public DueTimer(Timers timers, Clock clock, Runnable onDue) {
    this.timers = timers;
    this.clock = clock;
    this.onDue = onDue;
  }

  /** Makes sure the timer fires at {@code at} (epoch millis) or earlier; {@link #NEVER} asks for nothing. */
  public void require(long at) {
    if (at >= armedAt) {
      return;
    }
    if (timerId >= 0) {
      timers.cancel(timerId);
    }
    armedAt = at;
    timerId = timers.set(at - clock.millis(), this::fire);
  }

  private void fire() {
    timerId = -1;
    armedAt = NEVER;
    onDue.run();
  }

  public void cancel() {
    if (timerId >= 0) {
      timers.cancel(timerId);
    }
    timerId = -1;
    armedAt = NEVER;
  }
}
