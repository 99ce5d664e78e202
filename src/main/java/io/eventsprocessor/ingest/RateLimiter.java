package io.eventsprocessor.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.eventsprocessor.time.ClockTicker;
import java.time.Clock;
import java.time.Duration;

/**
 * One token bucket per key (a user, or a client address), in a bounded cache. A bucket left alone for the time
 * it takes to fill up is full, so it is dropped then at no loss: the state kept is what the last
 * {@code burst / perSecond} seconds of traffic left, at most {@code maxKeys} buckets. When more keys are active
 * than that, the least recently used are dropped and start full again: memory stays bounded, the limit becomes
 * lenient for the evicted keys. Shared by every HTTP edge of the process.
 */
public final class RateLimiter {

  /** @param perSecond tokens added per second; @param burst the most a bucket holds */
  public record Settings(int perSecond, int burst) {
    /** The time a bucket takes to gain one token: how long an event over the rate is asked to wait at most. */
    public long nanosPerToken() {
      return (long) Math.ceil(1e9 / perSecond);
    }
  }

  private static final RateLimiter UNLIMITED = new RateLimiter(null, null, null);

  private final Settings settings;
  private final Ticker ticker;
  private final Cache<String, TokenBucket> buckets;

  private RateLimiter(Settings settings, Ticker ticker, Cache<String, TokenBucket> buckets) {
    this.settings = settings;
    this.ticker = ticker;
    this.buckets = buckets;
  }

  public static RateLimiter create(Settings settings, int maxKeys, Clock clock) {
    Ticker ticker = new ClockTicker(clock);
    Duration fillTime = Duration.ofNanos((long) Math.ceil(1e9 * settings.burst() / settings.perSecond()));
    return new RateLimiter(settings, ticker, Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .expireAfterAccess(fillTime)
        .ticker(ticker)
        .executor(Runnable::run)
        .build());
  }

  /** A limiter that lets everything through (rate limiting turned off). */
  public static RateLimiter unlimited() {
    return UNLIMITED;
  }

  /**
   * Takes a token from the key's bucket.
   *
   * @return 0 when there was one; otherwise how many nanoseconds until there is (nothing was taken)
   */
  public long tryTake(String key) {
    if (buckets == null) {
      return 0;
    }
    long now = ticker.read();
    long[] wait = {0};
    buckets.asMap().compute(key, (k, bucket) -> {
      TokenBucket current = bucket == null
          ? TokenBucket.full(settings.burst(), now)
          : bucket.refilled(now, settings.perSecond(), settings.burst());
      if (current.hasToken()) {
        return current.takeOne();
      }
      wait[0] = current.nanosUntilToken(settings.perSecond());
      return current;
    });
    return wait[0];
  }
}
