package io.eventsprocessor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.notify.MessageTemplate;
import io.eventsprocessor.notify.Messages;
import io.eventsprocessor.notify.Notification;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The policy on its own: priorities under the daily limit, rolling caps, quiet hours across midnight and DST. */
class PolicyTest {
  static final Instant NOON = Instant.parse("2026-03-03T12:00:00Z");

  static RulePolicy rule(int priority, Cap cap, QuietHours quiet) {
    Messages text = Messages.of(MessageTemplate.parse("{minutes, plural, one {# minute} other {# minutes}}",
        Set.of("minutes")), "en");
    return new RulePolicy(priority, cap, quiet, Set.of(), text, null);
  }

  static Policy.Decided decided(int family, String id) {
    return new Policy.Decided(family, Notification.of("kind" + family, "u", "d", "", Map.of("minutes", 1L), id));
  }

  @Test
  void whenTheDailyLimitLeavesOnePlaceTheRuleOfHigherPriorityTakesIt() {
    Policy policy = new Policy(List.of(rule(20, null, null), rule(10, null, null)), 1);
    Policy.Admitted admitted = policy.admit(Marks.NONE, Deferred.NONE, "UTC", "en", NOON,
        List.of(decided(0, "a"), decided(1, "b")));

    assertThat(admitted.sent()).extracting(Notification::kind).containsExactly("kind1");
    assertThat(admitted.decisions()).singleElement().extracting(Policy.Decision::reason).isEqualTo(Reason.daily_limit);
    assertThat(admitted.sent().get(0).message()).isEqualTo("1 minute");
  }

  @Test
  void aRollingCapCountsTheWindowNotTheDay() {
    Policy policy = new Policy(List.of(rule(0, new Cap(1, Duration.ofHours(12)), null)), 0);
    long[] marks = policy.admit(Marks.NONE, Deferred.NONE, "UTC", "en", NOON, List.of(decided(0, "a"))).marks();

    assertThat(policy.admit(marks, Deferred.NONE, "UTC", "en", NOON.plus(Duration.ofHours(11)),
        List.of(decided(0, "b"))).sent()).isEmpty();
    assertThat(policy.admit(marks, Deferred.NONE, "UTC", "en", NOON.plus(Duration.ofHours(12)),
        List.of(decided(0, "c"))).sent()).hasSize(1);
  }

  @Test
  void quietHoursSpanMidnightAndEndAtTheLocalTimeEvenOnTheDayTheClocksGoForward() {
    QuietHours hours = new QuietHours(LocalTime.of(22, 0), LocalTime.of(7, 0), QuietHours.Action.defer);
    assertThat(hours.contains(LocalTime.of(23, 59))).isTrue();
    assertThat(hours.contains(LocalTime.of(6, 59))).isTrue();
    assertThat(hours.contains(LocalTime.of(7, 0))).isFalse();
    assertThat(hours.contains(LocalTime.of(21, 59))).isFalse();
    assertThat(new QuietHours(LocalTime.of(1, 0), LocalTime.of(1, 0), null).contains(LocalTime.of(1, 0))).isFalse();
    // Berlin moves to summer time on 2026-03-29 at 02:00: 07:00 that morning is 05:00 UTC, not 06:00.
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    assertThat(hours.endAfter(Instant.parse("2026-03-28T22:30:00Z"), berlin))
        .isEqualTo(Instant.parse("2026-03-29T05:00:00Z"));
    assertThat(hours.endAfter(Instant.parse("2026-03-29T05:00:00Z"), berlin))
        .isEqualTo(Instant.parse("2026-03-30T05:00:00Z"));
  }

  @Test
  void aTrainingMarkIsTheLatestAndMarksGoOnceNoCapCanCountThem() {
    Policy policy = new Policy(List.of(rule(0, Cap.perDay(1), null)), 0);
    long at = NOON.toEpochMilli();
    long[] marks = policy.trained(policy.trained(Marks.NONE, at), at - 3_600_000);
    assertThat(marks).hasSize(1);
    assertThat(Marks.at(marks[0])).isEqualTo(at);
    assertThat(policy.forgetAt(marks)).isEqualTo(at + Duration.ofHours(26).toMillis());
    assertThat(policy.forget(marks, at + Duration.ofHours(26).toMillis())).isEmpty();
  }

  @Test
  void aLanguageFallsBackFromRegionToLanguageToTheDefault() {
    Messages messages = new Messages(Map.of(
        "en", MessageTemplate.parse("{minutes, plural, one {# minute} other {# minutes}}", Set.of("minutes"), "en"),
        "de", MessageTemplate.parse("{minutes, plural, one {# Minute} other {# Minuten}}", Set.of("minutes"), "de"),
        "pl", MessageTemplate.parse("{minutes, plural, one {# minuta} few {# minuty} many {# minut} other {# minuty}}",
            Set.of("minutes"), "pl")), "en");
    assertThat(messages.pick("de-AT").locale()).isEqualTo("de");
    assertThat(messages.pick("fr-FR").locale()).isEqualTo("en");
    assertThat(messages.pick(null).locale()).isEqualTo("en");
    assertThat(messages.pick("de-AT").template().render(Map.of("minutes", 1L))).isEqualTo("1 Minute");
    assertThat(messages.pick("pl").template().render(Map.of("minutes", 3L))).isEqualTo("3 minuty");
    assertThat(messages.pick("pl").template().render(Map.of("minutes", 5L))).isEqualTo("5 minut");
  }
}
