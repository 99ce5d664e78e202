package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UserClockTest {
  static final Instant LAUNCH = Instant.parse("2021-02-28T16:22:52Z");
  static final long REAL = 1_700_000_000_000L;

  @Test
  void betweenEventsTheClockMovesWithRealTime() {
    UserClock clock = UserClock.startingAt(LAUNCH, REAL);
    assertThat(clock.now(REAL + 600_000)).isEqualTo(LAUNCH.plusSeconds(600));
  }

  @Test
  void anEventMovesTheClockForwardToItsTimestamp() {
    UserClock clock = UserClock.startingAt(LAUNCH, REAL).observe(LAUNCH.plusSeconds(3600), REAL + 5);
    assertThat(clock.now(REAL + 5)).isEqualTo(LAUNCH.plusSeconds(3600));
  }

  @Test
  void aLateEventDoesNotMoveTheClockBack() {
    UserClock clock = UserClock.startingAt(LAUNCH, REAL).observe(LAUNCH.minusSeconds(3600), REAL + 1000);
    assertThat(clock.now(REAL + 1000)).isEqualTo(LAUNCH.plusSeconds(1));
  }

  @Test
  void theClockNeverRunsBackwardsWithTheServerClock() {
    assertThat(UserClock.startingAt(LAUNCH, REAL).now(REAL - 5000)).isEqualTo(LAUNCH);
  }

  @Test
  void aDeviceClockHoursOffStillFallsDueAfterTheRealDelay() {
    Instant skewed = Instant.parse("2021-02-28T14:22:52Z"); // two hours behind
    UserClock clock = UserClock.startingAt(skewed, REAL);
    assertThat(clock.realTimeOf(skewed.plusSeconds(600))).isEqualTo(REAL + 600_000);
  }

  @Test
  void theRealTimeOfAnInstantRoundsUpToTheNextMillisecond() {
    UserClock clock = UserClock.startingAt(LAUNCH, REAL);
    assertThat(clock.realTimeOf(LAUNCH.plusNanos(1))).isEqualTo(REAL + 1);
    assertThat(clock.now(clock.realTimeOf(LAUNCH.plusNanos(1)))).isAfterOrEqualTo(LAUNCH.plusNanos(1));
  }
}
