package io.eventsprocessor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.VirtualTime;
import io.eventsprocessor.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DuplicateFilterTest {
  final VirtualTime clock = new VirtualTime(Instant.parse("2026-01-01T00:00:00Z"));

  static Event event(String userId, String id) {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    return new Event(id, "app_launch", userId, "d", at, at, Map.of());
  }

  @Test
  void anEventIsADuplicateWithinTheWindowAndNewAgainAfterIt() {
    DuplicateFilter filter = new DuplicateFilter(new DuplicateFilter.Settings(Duration.ofHours(24), 100), clock);
    Event event = event("u", "e1");
    assertThat(filter.seen(event)).isFalse();
    assertThat(filter.remember(event)).isTrue();
    assertThat(filter.remember(event)).isFalse();

    clock.advance(Duration.ofHours(23).plusMinutes(59));
    assertThat(filter.seen(event)).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(filter.seen(event)).isFalse();
    assertThat(filter.remember(event)).isTrue();
  }

  @Test
  void theSameIdOfAnotherUserIsAnotherEvent() {
    DuplicateFilter filter = new DuplicateFilter(new DuplicateFilter.Settings(Duration.ofHours(24), 100), clock);
    assertThat(filter.remember(event("ab", "c"))).isTrue();
    assertThat(filter.remember(event("a", "bc"))).isTrue();
    assertThat(filter.seen(event("abc", ""))).isFalse();
  }

  @Test
  void holdsAtMostTheConfiguredNumberOfEvents() {
    DuplicateFilter filter = new DuplicateFilter(new DuplicateFilter.Settings(Duration.ofHours(24), 10), clock);
    for (int i = 0; i < 1000; i++) {
      filter.remember(event("u", "e" + i));
    }
    long remembered = java.util.stream.IntStream.range(0, 1000).filter(i -> filter.seen(event("u", "e" + i))).count();
    assertThat(remembered).isLessThanOrEqualTo(10);
  }
}
