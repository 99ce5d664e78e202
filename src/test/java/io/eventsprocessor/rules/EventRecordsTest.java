package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An event written to the journal reads back whole: what a replay applies is what was applied live. */
class EventRecordsTest {

  @Test
  void anEventReadsBackWithItsTimesItsDataAndTheServerTimeItWasAppliedAt() {
    Event event = new Event("x", "training_program_started", "u", "d", Instant.parse("2021-02-28T16:59:43.250Z"),
        Instant.parse("2021-02-28T17:00:00.001Z"), Map.of("programId", "2352", "nested", Map.of("a", List.of(1, 2))),
        Instant.parse("2021-02-28T16:59:40Z"), Instant.parse("2021-02-28T16:59:57.5Z"));
    EventRecords.Applied read = EventRecords.readEvent(EventRecords.event(event, 1234L));
    assertThat(read.realNow()).isEqualTo(1234L);
    assertThat(read.event()).usingRecursiveComparison().isEqualTo(event);
  }

  @Test
  void anEventWithoutSentAtOrDataReadsBackSo() {
    Instant at = Instant.parse("2021-02-28T16:59:43Z");
    Event event = new Event("y", "app_launch", "u", "d", at, at, Map.of());
    assertThat(EventRecords.readEvent(EventRecords.event(event, 0)).event()).isEqualTo(event);
  }
}
