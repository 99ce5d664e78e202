package io.eventsprocessor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  final VirtualTime clock = new VirtualTime(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void letsABurstThroughThenOneTokenPerPeriod() {
    RateLimiter limiter = RateLimiter.create(new RateLimiter.Settings(2, 3), 100, clock);
    assertThat(limiter.tryTake("u")).isZero();
    assertThat(limiter.tryTake("u")).isZero();
    assertThat(limiter.tryTake("u")).isZero();
    assertThat(limiter.tryTake("u")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));

    clock.advance(Duration.ofMillis(300));
    assertThat(limiter.tryTake("u")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    clock.advance(Duration.ofMillis(200));
    assertThat(limiter.tryTake("u")).isZero();
    assertThat(limiter.tryTake("u")).isPositive();
  }

  @Test
  void keysAreIndependent() {
    RateLimiter limiter = RateLimiter.create(new RateLimiter.Settings(1, 1), 100, clock);
    assertThat(limiter.tryTake("a")).isZero();
    assertThat(limiter.tryTake("a")).isPositive();
    assertThat(limiter.tryTake("b")).isZero();
  }

  @Test
  void aBucketNeverHoldsMoreThanItsBurstHoweverLongItRested() {
    RateLimiter limiter = RateLimiter.create(new RateLimiter.Settings(10, 2), 100, clock);
    limiter.tryTake("u");
    clock.advance(Duration.ofDays(3));
    assertThat(limiter.tryTake("u")).isZero();
    assertThat(limiter.tryTake("u")).isZero();
    assertThat(limiter.tryTake("u")).isPositive();
  }

  @Test
  void aRefusedRequestTakesNothing() {
    RateLimiter limiter = RateLimiter.create(new RateLimiter.Settings(1, 1), 100, clock);
    limiter.tryTake("u");
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryTake("u")).isPositive();
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryTake("u")).isZero();
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
    assertThat(IngestVerticle.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(IngestVerticle.retryAfterSeconds(TimeUnit.SECONDS.toNanos(1))).isEqualTo(1);
    assertThat(IngestVerticle.retryAfterSeconds(TimeUnit.SECONDS.toNanos(1) + 1)).isEqualTo(2);
  }
}
