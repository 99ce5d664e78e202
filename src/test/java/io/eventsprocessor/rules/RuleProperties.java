package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.program.ProgramEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants of the two families over generated users' days, run through the engine as the service runs them. */
class RuleProperties {
  static final Instant DAY = Instant.parse("2026-03-01T08:00:00Z");
  static final Duration DELAY = Duration.ofMinutes(10);
  static final List<String> TYPES = List.of(ProgramEvents.APP_LAUNCH, ProgramEvents.STARTED, ProgramEvents.PAUSED,
      ProgramEvents.RESUMED, ProgramEvents.FINISHED, ProgramEvents.CANCELLED);

  /** One event of a user's day: its type, its minute of the day, its program. */
  record Step(String type, int minute, String program) {}

  /** A day's events in the order they happened, and in the order they reached the service. */
  record Day(List<Event> byTime, List<Event> arrival) {}

  @Provide
  Arbitrary<Day> days() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.of(TYPES), Arbitraries.integers().between(0, 180), Arbitraries.of("p", "q"))
        .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(25).flatMap(steps -> {
      List<Event> byTime = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        Step s = steps.get(i);
        Instant at = DAY.plus(Duration.ofMinutes(s.minute())).plusSeconds(i); // distinct times, stable order
        Map<String, Object> data = s.type().equals(ProgramEvents.APP_LAUNCH) ? Map.of()
            : Map.of(ProgramEvents.PROGRAM_ID, s.program());
        byTime.add(new Event("e" + i, s.type(), "u", "d", at, at, data));
      }
      byTime.sort(Comparator.comparing(Event::occurredAt));
      return Arbitraries.shuffle(byTime).map(arrival -> new Day(byTime, arrival));
    });
  }

  /**
   * The events applied in the given order, one a minute of server time, every wake-up due in between run first, and
   * time let run until nothing is pending.
   */
  static List<Notification> run(List<Event> events, boolean atTheirOwnTime) {
    RuleEngine engine = RuleEngineTest.standard();
    List<Notification> sent = new ArrayList<>();
    long real = DAY.toEpochMilli();
    for (Event event : events) {
      real = atTheirOwnTime ? event.occurredAt().toEpochMilli() : real + 60_000;
      sent.addAll(engine.wakeUp(real));
      sent.addAll(engine.apply(event, real).notifications());
    }
    sent.addAll(engine.wakeUp(real + Duration.ofDays(2).toMillis()));
    assertThat(engine.users()).as("nothing pending after two days").isZero();
    return sent;
  }

  static List<Notification> reminders(List<Notification> sent) {
    return sent.stream().filter(n -> n.kind().equals("training_reminder")).toList();
  }

  @Property
  void atMostOneReminderPerLaunchWhateverTheArrivalOrder(@ForAll("days") Day day) {
    List<Notification> sent = run(day.arrival(), false);
    assertThat(reminders(sent)).extracting(Notification::triggeredBy).doesNotHaveDuplicates();
    assertThat(sent).extracting(Notification::id).doesNotHaveDuplicates();
  }

  @Property
  void noReminderForALaunchFollowedByAStartInsideTheWindow(@ForAll("days") Day day) {
    for (Notification reminder : reminders(run(day.byTime(), true))) {
      Event launch = day.byTime().stream().filter(e -> e.id().equals(reminder.triggeredBy())).findFirst().orElseThrow();
      assertThat(day.byTime()).noneMatch(e -> e.type().equals(ProgramEvents.STARTED)
          && !e.occurredAt().isBefore(launch.occurredAt())
          && e.occurredAt().isBefore(launch.occurredAt().plus(DELAY)));
    }
  }

  @Property
  void replayingTheSameEventsGivesTheSameNotificationIds(@ForAll("days") Day day) {
    assertThat(run(day.arrival(), false)).extracting(Notification::id)
        .isEqualTo(run(day.arrival(), false).stream().map(Notification::id).toList());
  }

  /** A run of one program: pauses of the given lengths between stretches of training, then the finish. */
  record Training(List<Integer> trainedSeconds, List<Integer> pausedSeconds) {}

  @Provide
  Arbitrary<Training> trainings() {
    return Arbitraries.integers().between(1, 40).list().ofMinSize(1).ofMaxSize(6).flatMap(stretches ->
        Arbitraries.integers().between(0, 600 * 60).list().ofSize(stretches.size() - 1)
            // Pauses shorter than the session expiry (12 hours): a longer one ends the session unfinished.
            .map(pauses -> new Training(stretches.stream().map(m -> m * 60 + m % 7).toList(), pauses)));
  }

  @Property
  void aCongratulationCountsTheWholeMinutesTrainedWithoutThePausesAndOnlyPastTheMinimum(
      @ForAll("trainings") Training training) {
    List<Event> events = new ArrayList<>();
    Instant at = DAY;
    events.add(new Event("start", ProgramEvents.STARTED, "u", "d", at, at, Map.of(ProgramEvents.PROGRAM_ID, "p")));
    long trained = 0;
    for (int i = 0; i < training.trainedSeconds().size(); i++) {
      at = at.plusSeconds(training.trainedSeconds().get(i));
      trained += training.trainedSeconds().get(i);
      boolean last = i == training.trainedSeconds().size() - 1;
      events.add(new Event("e" + i + "a", last ? ProgramEvents.FINISHED : ProgramEvents.PAUSED, "u", "d", at, at,
          Map.of(ProgramEvents.PROGRAM_ID, "p")));
      if (!last) {
        at = at.plusSeconds(training.pausedSeconds().get(i));
        events.add(new Event("e" + i + "b", ProgramEvents.RESUMED, "u", "d", at, at, Map.of(ProgramEvents.PROGRAM_ID, "p")));
      }
    }
    List<Notification> congratulations = run(events, true).stream()
        .filter(n -> n.kind().equals("training_congratulation")).toList();
    long minutes = trained / 60;
    if (trained > Duration.ofMinutes(30).toSeconds()) {
      assertThat(congratulations).singleElement()
          .satisfies(n -> assertThat(n.data()).containsEntry("minutes", minutes));
    } else {
      assertThat(congratulations).isEmpty();
    }
  }
}
