package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.VirtualTime;
import io.eventsprocessor.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DuplicateFilterTest {
  final VirtualTime clock = new VirtualTime(Instant.parse("2026-01-01T00:00:00Z"));

  static Event event(String userId, String id) {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    return new Event(id, "app_launch", userId, "d", at, at, Map.of());
  }

  DuplicateFilter filter(int maxEntries) {
    return new DuplicateFilter(Duration.ofHours(24), maxEntries, clock);
  }

  void remember(DuplicateFilter filter, Event event) {
    filter.remember(DuplicateFilter.key(event), clock.millis());
  }

  @Test
  void anEventIsADuplicateWithinTheWindowAndNewAgainAfterIt() {
    DuplicateFilter filter = filter(100);
    Event event = event("u", "e1");
    assertThat(filter.seen(event)).isFalse();
    remember(filter, event);
    assertThat(filter.seen(event)).isTrue();

    clock.advance(Duration.ofHours(23).plusMinutes(59));
    assertThat(filter.seen(event)).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(filter.seen(event)).isFalse();
  }

  @Test
  void theSameIdOfAnotherUserIsAnotherEvent() {
    DuplicateFilter filter = filter(100);
    remember(filter, event("ab", "c"));
    remember(filter, event("a", "bc"));
    assertThat(filter.seen(event("abc", ""))).isFalse();
    assertThat(filter.seen(event("a", "bc"))).isTrue();
  }

  @Test
  void holdsAtMostTheConfiguredNumberOfEvents() {
    DuplicateFilter filter = filter(10);
    IntStream.range(0, 1000).forEach(i -> remember(filter, event("u", "e" + i)));
    long remembered = IntStream.range(0, 1000).filter(i -> filter.seen(event("u", "e" + i))).count();
    assertThat(remembered).isLessThanOrEqualTo(10);
  }

  @Test
  void aRestoredEntryExpiresAWindowAfterItsEventWasAppliedNotAfterTheRestore() {
    DuplicateFilter before = filter(100);
    remember(before, event("u", "old"));
    clock.advance(Duration.ofHours(20));
    remember(before, event("u", "new"));
    java.util.List<io.netty.buffer.ByteBuf> saved = new java.util.ArrayList<>();
    before.write(record -> saved.add(record.copy()));

    clock.advance(Duration.ofHours(1));
    DuplicateFilter after = filter(100);
    saved.forEach(after::load);
    assertThat(after.seen(event("u", "old"))).isTrue();
    assertThat(after.seen(event("u", "new"))).isTrue();
    clock.advance(Duration.ofHours(3));
    assertThat(after.seen(event("u", "old"))).isFalse();
    assertThat(after.seen(event("u", "new"))).isTrue();
  }
}
