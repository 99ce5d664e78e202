package io.eventsprocessor.time;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** Caffeine's time source read from the service's {@link Clock}, so that tests can move time for the caches too. */
public final class ClockTicker implements Ticker {
  private final Clock clock;

  public ClockTicker(Clock clock) {
    this.clock = clock;
  }

  @Override
  public long read() {
    return TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }
}
