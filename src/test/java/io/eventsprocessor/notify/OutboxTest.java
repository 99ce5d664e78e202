package io.eventsprocessor.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboxTest {
  static final Outbox.Policy POLICY = new Outbox.Policy(
      4, Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofSeconds(8), 3, 100);
  static final Outbox.Failure DOWN = new Outbox.Failure(true, null, "connection refused");
  static final Outbox.Failure BAD_REQUEST = new Outbox.Failure(false, null, "status 400");

  final Outbox outbox = new Outbox(POLICY);

  static Notification note(String userId, String id) {
    return new Notification(id, "training_reminder", userId, "d", "start now", Map.of(), "e-" + id, null);
  }

  static List<String> ids(List<Outbox.Pending> pending) {
    return pending.stream().map(p -> p.notification().id()).toList();
  }

  @Test
  void aUsersNotificationsGoOneAtATimeInOrderWhileOtherUsersGoInParallel() {
    outbox.offer(note("a", "a1"), 0);
    outbox.offer(note("a", "a2"), 0);
    outbox.offer(note("b", "b1"), 0);

    List<Outbox.Pending> first = outbox.takeDue(0, 10);
    assertThat(ids(first)).containsExactlyInAnyOrder("a1", "b1");
    assertThat(outbox.takeDue(0, 10)).isEmpty();

    outbox.delivered(first.stream().filter(p -> p.notification().id().equals("a1")).findFirst().orElseThrow(), 5);
    assertThat(ids(outbox.takeDue(5, 10))).containsExactly("a2");
  }

  @Test
  void aFailedAttemptBlocksTheUsersLaterNotificationsUntilItIsRetried() {
    outbox.offer(note("a", "a1"), 0);
    outbox.offer(note("a", "a2"), 0);
    Outbox.Verdict verdict = outbox.failed(outbox.takeDue(0, 10).get(0), DOWN, 0, 0.5);

    assertThat(verdict.deadLettered()).isFalse();
    assertThat(outbox.takeDue(verdict.retryAt() - 1, 10)).isEmpty();
    assertThat(ids(outbox.takeDue(verdict.retryAt(), 10))).containsExactly("a1");
  }

  @Test
  void theBackoffHasFullJitterUnderADoublingCeiling() {
    outbox.offer(note("a", "a1"), 0);
    assertThat(outbox.failed(outbox.takeDue(0, 1).get(0), DOWN, 0, 0.0).retryAt()).isEqualTo(0);
    Outbox.Verdict second = outbox.failed(outbox.takeDue(0, 1).get(0), DOWN, 0, 0.999);
    assertThat(second.retryAt()).isBetween(1900L, 2000L); // ceiling 2 s after the second failure
    Outbox.Verdict third = outbox.failed(outbox.takeDue(2000, 1).get(0), DOWN, 2000, 0.999);
    assertThat(third.retryAt() - 2000).isBetween(3900L, 4000L);
  }

  @Test
  void retryAfterIsHonouredEvenWhenTheJitterIsShorter() {
    outbox.offer(note("a", "a1"), 0);
    Outbox.Failure limited = new Outbox.Failure(true, Duration.ofSeconds(3), "status 429");
    assertThat(outbox.failed(outbox.takeDue(0, 1).get(0), limited, 0, 0.1).retryAt()).isEqualTo(3000);
  }

  @Test
  void aFailureThatIsNotRetryableIsADeadLetterAtOnceAndTheNextOneGoes() {
    outbox.offer(note("a", "a1"), 0);
    outbox.offer(note("a", "a2"), 0);
    Outbox.Verdict verdict = outbox.failed(outbox.takeDue(0, 1).get(0), BAD_REQUEST, 10, 0.5);

    assertThat(verdict.deadLettered()).isTrue();
    assertThat(outbox.deadLetters()).singleElement().satisfies(d -> {
      assertThat(d.notification().id()).isEqualTo("a1");
      assertThat(d.lastError()).isEqualTo("status 400");
      assertThat(d.attempts()).isEqualTo(1);
    });
    assertThat(ids(outbox.takeDue(10, 10))).containsExactly("a2");
  }

  @Test
  void theLastAllowedAttemptMakesADeadLetter() {
    outbox.offer(note("a", "a1"), 0);
    long now = 0;
    for (int attempt = 1; attempt < POLICY.maxAttempts(); attempt++) {
      now = outbox.failed(outbox.takeDue(now, 1).get(0), DOWN, now, 0.5).retryAt();
    }
    assertThat(outbox.failed(outbox.takeDue(now, 1).get(0), DOWN, now, 0.5).deadLettered()).isTrue();
    assertThat(outbox.size()).isZero();
  }

  @Test
  void aRetryThatWouldPassTheMaximumAgeMakesADeadLetter() {
    outbox.offer(note("a", "a1"), 0);
    long almostTooOld = Duration.ofMinutes(10).toMillis() - 100;
    assertThat(outbox.failed(outbox.takeDue(almostTooOld, 1).get(0), DOWN, almostTooOld, 0.5).deadLettered()).isTrue();
  }

  @Test
  void theSameNotificationIsQueuedOnceAndNeverSentTwice() {
    assertThat(outbox.offer(note("a", "a1"), 0)).isTrue();
    assertThat(outbox.offer(note("a", "a1"), 0)).isFalse();
    outbox.delivered(outbox.takeDue(0, 1).get(0), 1);
    assertThat(outbox.offer(note("a", "a1"), 2)).isFalse();
  }

  @Test
  void aDeadLetterCanBeQueuedAgainOnce() {
    outbox.offer(note("a", "a1"), 0);
    outbox.failed(outbox.takeDue(0, 1).get(0), BAD_REQUEST, 0, 0.5);
    assertThat(outbox.offer(note("a", "a1"), 1)).isFalse();

    assertThat(outbox.retryDeadLetter("a1", 100)).isTrue();
    assertThat(outbox.retryDeadLetter("a1", 100)).isFalse();
    assertThat(outbox.deadLetters()).isEmpty();
    assertThat(outbox.takeDue(100, 1)).singleElement().satisfies(p -> assertThat(p.attempts()).isZero());
  }

  @Test
  void deadLettersAreBoundedAndTheNewestKept() {
    for (int i = 1; i <= 5; i++) {
      outbox.offer(note("u" + i, "n" + i), 0);
      outbox.failed(outbox.takeDue(0, 1).get(0), BAD_REQUEST, i, 0.5);
    }
    assertThat(outbox.deadLetters()).extracting(d -> d.notification().id()).containsExactly("n3", "n4", "n5");
  }

  @Test
  void wakingAllMakesEveryWaitingNotificationDueNow() {
    outbox.offer(note("a", "a1"), 0);
    outbox.failed(outbox.takeDue(0, 1).get(0), DOWN, 0, 0.999);
    assertThat(outbox.takeDue(10, 1)).isEmpty();
    outbox.wakeAll(10);
    assertThat(ids(outbox.takeDue(10, 1))).containsExactly("a1");
  }

  @Test
  void wakingRepeatedlyKeepsOneEntryPerWaitingUser() {
    for (int user = 0; user < 100; user++) {
      outbox.offer(note("u" + user, "n" + user), 0);
    }
    for (Outbox.Pending p : outbox.takeDue(0, 100)) {
      outbox.failed(p, DOWN, 0, 0.999);
    }
    for (int cycle = 1; cycle <= 50; cycle++) {
      outbox.wakeAll(cycle);
    }
    assertThat(outbox.scheduledUsers()).isEqualTo(100);
    assertThat(outbox.takeDue(50, 1000)).hasSize(100);
  }

  @Test
  void wakingAllStillHonoursRetryAfter() {
    outbox.offer(note("a", "a1"), 0);
    outbox.failed(outbox.takeDue(0, 1).get(0), new Outbox.Failure(true, Duration.ofSeconds(120), "status 503"), 0, 0.5);
    outbox.wakeAll(10);
    assertThat(outbox.takeDue(119_999, 1)).isEmpty();
    assertThat(ids(outbox.takeDue(120_000, 1))).containsExactly("a1");
  }

  @Test
  void aReleasedAttemptDoesNotCount() {
    outbox.offer(note("a", "a1"), 0);
    outbox.release(outbox.takeDue(0, 1).get(0), 50);
    assertThat(outbox.takeDue(49, 1)).isEmpty();
    assertThat(outbox.takeDue(50, 1)).singleElement().satisfies(p -> assertThat(p.attempts()).isZero());
  }

  @Test
  void savedContentsLoadBackInOrder() {
    outbox.offer(note("a", "a1"), 0);
    outbox.offer(note("a", "a2"), 0);
    outbox.offer(note("b", "b1"), 0);
    outbox.offer(note("c", "c1"), 0);
    List<Outbox.Pending> taken = outbox.takeDue(0, 10);
    outbox.failed(taken.stream().filter(p -> p.notification().id().equals("b1")).findFirst().orElseThrow(), BAD_REQUEST, 1, 0.5);
    outbox.delivered(taken.stream().filter(p -> p.notification().id().equals("c1")).findFirst().orElseThrow(), 1);

    Outbox loaded = new Outbox(POLICY);
    loaded.load(new io.vertx.core.json.JsonObject(outbox.toJson().encode()), 1000);

    assertThat(loaded.size()).isEqualTo(2);
    assertThat(loaded.deadLetters()).extracting(d -> d.notification().id()).containsExactly("b1");
    assertThat(loaded.offer(note("c", "c1"), 1000)).isFalse();
    List<Outbox.Pending> due = loaded.takeDue(1000, 10);
    assertThat(ids(due)).containsExactly("a1");
    loaded.delivered(due.get(0), 1001);
    assertThat(ids(loaded.takeDue(1001, 10))).containsExactly("a2");
  }
}
