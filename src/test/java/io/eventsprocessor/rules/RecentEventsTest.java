package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The duplicate memory: one long an id, judged to the second, across the wrap of its 24 bits of seconds. */
class RecentEventsTest {
  final RecentEvents memory = new RecentEvents(Duration.ofHours(24), 3);
  static final long DAY = Duration.ofHours(24).toMillis();

  @Test
  void anIdIsADuplicateForLessThanTheWindowAndAmongTheLatestOnly() {
    long t = 1_780_000_000_123L;
    long[] recent = memory.remember(RecentEvents.NONE, RecentEvents.hash("a"), t);
    assertThat(memory.contains(recent, RecentEvents.hash("a"), t + DAY - 1000)).isTrue();
    assertThat(memory.contains(recent, RecentEvents.hash("a"), t + DAY)).isFalse();
    assertThat(memory.contains(recent, RecentEvents.hash("b"), t)).isFalse();
    assertThat(memory.forgetAt(recent, t)).isEqualTo((t / 1000) * 1000 + DAY);

    for (String id : new String[] {"b", "c", "d"}) {
      recent = memory.remember(recent, RecentEvents.hash(id), t + 1000);
    }
    assertThat(recent).hasSize(3);
    assertThat(memory.contains(recent, RecentEvents.hash("a"), t + 1000)).isFalse();
    assertThat(memory.contains(recent, RecentEvents.hash("d"), t + 1000)).isTrue();
  }

  @Test
  void agesAreRightAcrossTheWrapOfTheSecondsKept() {
    long wrap = (1L << 24) * 1000 * 106; // a multiple of 2^24 seconds, in 2026
    long before = wrap - 5_000;
    long[] recent = memory.remember(RecentEvents.NONE, RecentEvents.hash("a"), before);
    assertThat(memory.contains(recent, RecentEvents.hash("a"), wrap + 5_000)).isTrue();
    assertThat(memory.forget(recent, before + DAY)).isEmpty();
    assertThat(memory.forgetAt(recent, wrap + 5_000)).isEqualTo(before + DAY);
  }

  @Test
  void idsSavedAsPairsReadAsTheSameIds() {
    long t = 1_780_000_000_000L;
    long[] pairs = {RecentEvents.hash("a"), t, RecentEvents.hash("b"), t + 2000};
    long[] recent = RecentEvents.fromPairs(pairs);
    assertThat(memory.contains(recent, RecentEvents.hash("b"), t + 3000)).isTrue();
    assertThat(memory.forgetAt(recent, t + 3000)).isEqualTo(t + DAY);
  }

  @Test
  void theWindowIsASecondToThirtyDays() {
    assertThatThrownBy(() -> new RecentEvents(Duration.ofDays(31), 32)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RecentEvents(Duration.ofMillis(500), 32)).isInstanceOf(IllegalArgumentException.class);
  }
}
