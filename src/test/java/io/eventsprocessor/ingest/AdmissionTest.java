package io.eventsprocessor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.VirtualTime;
import io.eventsprocessor.event.Decoded;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.FieldError;
import io.eventsprocessor.ingest.Admission.Admitted;
import io.eventsprocessor.ingest.Admission.Forbidden;
import io.eventsprocessor.ingest.Admission.Item;
import io.eventsprocessor.ingest.Admission.Status;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admission of decoded events, without HTTP: who may post, duplicates, rates, and the order of the checks. */
class AdmissionTest {
  static final Instant AT = Instant.parse("2026-01-01T10:00:00Z");

  final VirtualTime clock = new VirtualTime(AT);
  final List<Event> accepted = new ArrayList<>();
  final List<Event> unsupported = new ArrayList<>();
  final IngestStats stats = new IngestStats();
  /** The rules' duplicate memory, as far as admission sees it: they answer "duplicate". */
  final java.util.Set<String> applied = new java.util.HashSet<>();
  String unavailable;
  /** Users whose rate the rules keep (a cluster's owner) and find exceeded. */
  final java.util.Set<String> limitedByRules = new java.util.HashSet<>();
  /** Two events at once per user, then one a second; the rules stand in as they answer. */
  final Admission admission = new Admission(RateLimiter.create(new RateLimiter.Settings(1, 2), 100, clock),
      Duration.ofMillis(250).toNanos(), new LateEvents(clock), stats,
      new Admission.Publisher() {
        @Override
        public Future<Status> accepted(Event event) {
          if (unavailable != null) {
            return Future.failedFuture(new Admission.Unavailable(unavailable));
          }
          if (limitedByRules.contains(event.userId())) {
            return Future.succeededFuture(Status.RATE_LIMITED);
          }
          if (!applied.add(event.userId() + "/" + event.id())) {
            return Future.succeededFuture(Status.DUPLICATE);
          }
          accepted.add(event);
          return Future.succeededFuture(Status.ACCEPTED);
        }

        @Override
        public void unsupported(Event event) {
          unsupported.add(event);
        }
      });

  static Decoded valid(String user, String id) {
    return new Decoded.Valid(new Event(id, "app_launch", user, "d", AT, AT, Map.of()), true);
  }

  static Decoded unknownType(String user, String id) {
    return new Decoded.Valid(new Event(id, "workout_rated", user, "d", AT, AT, Map.of()), false);
  }

  static Decoded invalid() {
    return new Decoded.Invalid(List.of(new FieldError("userId", "is required")));
  }

  Admission.Verdict verdict(Caller caller, Decoded... decoded) {
    return admission.admit(caller, List.of(decoded)).result();
  }

  List<Status> admit(Caller caller, Decoded... decoded) {
    return ((Admitted) verdict(caller, decoded)).items().stream().map(Item::status).toList();
  }

  List<Status> admit(Decoded... decoded) {
    return admit(Caller.ANONYMOUS, decoded);
  }

  @Test
  void eachEventIsAnsweredInOrderAndTheValidOnesAreHandedOn() {
    assertThat(admit(valid("u1", "a"), invalid(), unknownType("u2", "b"))).containsExactly(
        Status.ACCEPTED, Status.REJECTED, Status.UNSUPPORTED);
    assertThat(accepted).extracting(Event::id).containsExactly("a");
    assertThat(unsupported).extracting(Event::id).containsExactly("b");
    assertThat(stats.accepted()).isEqualTo(1);
    assertThat(stats.rejected()).isEqualTo(1);
    assertThat(stats.unsupported()).isEqualTo(1);
  }

  @Test
  void anEventTheRulesCannotKeepIsUnavailableAndNotCountedAccepted() {
    unavailable = "the state cannot be written (No space left on device)";
    Item item = ((Admitted) verdict(Caller.ANONYMOUS, valid("u1", "a"))).items().get(0);
    assertThat(item.status()).isEqualTo(Status.UNAVAILABLE);
    assertThat(item.detail()).contains("No space left on device");
    assertThat(item.retryAfterNanos()).isPositive();
    assertThat(stats.accepted()).isZero();
    assertThat(stats.unavailable()).isEqualTo(1);

    unavailable = null;
    assertThat(admit(valid("u1", "a"))).containsExactly(Status.ACCEPTED);
  }

  @Test
  void aResentEventIsADuplicateAndIsNotHandedOnAgain() {
    admit(valid("u1", "a"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(admit(valid("u1", "a"), valid("u1", "a"))).containsExactly(Status.DUPLICATE, Status.DUPLICATE);
    assertThat(accepted).hasSize(1);
    // Another user's event with the same id is not a duplicate: users cannot shadow each other's events.
    assertThat(admit(valid("u2", "a"))).containsExactly(Status.ACCEPTED);
  }

  @Test
  void aUserOverTheRateIsHeldBackWithItsLaterEventsOfTheRequestAndOthersGoOn() {
    List<Status> statuses = admit(valid("u1", "a"), valid("u1", "b"), valid("u1", "c"), valid("u2", "d"), valid("u1", "e"));
    assertThat(statuses).containsExactly(Status.ACCEPTED, Status.ACCEPTED, Status.RATE_LIMITED, Status.ACCEPTED,
        Status.RATE_LIMITED);
    Item limited = ((Admitted) verdict(Caller.ANONYMOUS, valid("u1", "f"))).items().get(0);
    assertThat(limited.retryAfterNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());

    // Held back, not remembered: sent again once the rate allows, they are taken.
    clock.advance(Duration.ofSeconds(1));
    assertThat(admit(valid("u1", "c"))).containsExactly(Status.ACCEPTED);
  }

  @Test
  void anEventTheRulesFindOverItsUsersRateIsLimitedWithTheirWaitAndNotCountedAccepted() {
    limitedByRules.add("u1");
    Admitted verdict = (Admitted) verdict(Caller.ANONYMOUS, valid("u1", "a"), valid("u2", "b"));
    assertThat(verdict.items()).extracting(Item::status).containsExactly(Status.RATE_LIMITED, Status.ACCEPTED);
    assertThat(verdict.items().get(0).retryAfterNanos()).isEqualTo(Duration.ofMillis(250).toNanos());
    assertThat(stats.rateLimited.sum()).isEqualTo(1);
    assertThat(stats.accepted.sum()).isEqualTo(1);
  }

  @Test
  void aResendIsJudgedByTheRulesAfterTheRateLikeAnyEvent() {
    // The duplicate memory is in the user's entry, where the rules keep it in both modes: a resend costs a token,
    // and one over the rate is held back, then answered "duplicate" once the rate allows.
    admit(valid("u1", "a"), valid("u1", "b"));
    assertThat(admit(valid("u1", "a"))).containsExactly(Status.RATE_LIMITED);
    clock.advance(Duration.ofSeconds(1));
    assertThat(admit(valid("u1", "a"))).containsExactly(Status.DUPLICATE);
    assertThat(accepted).hasSize(2);
  }

  @Test
  void anEventOfAnotherUserThanTheTokensRefusesTheWholeRequest() {
    Admission.Verdict verdict = verdict(Caller.user("u1"), valid("u1", "a"), valid("u2", "b"));
    assertThat(verdict).isEqualTo(new Forbidden("u1", "u2"));
    assertThat(accepted).isEmpty();
    assertThat(stats.forbidden()).isEqualTo(1);
    // An invalid event cannot name a user: it does not make the request forbidden.
    assertThat(admit(Caller.user("u1"), valid("u1", "a"), invalid())).containsExactly(Status.ACCEPTED, Status.REJECTED);
  }

  @Test
  void aClampedOrLateEventIsCounted() {
    verdict(Caller.ANONYMOUS, new Decoded.Valid(new Event("a", "app_launch", "u1", "d", AT, AT, Map.of()), true, true));
    admit(new Decoded.Valid(new Event("b", "app_launch", "u1", "d", AT.minusSeconds(60), AT, Map.of()), true));
    assertThat(stats.clamped()).isEqualTo(1);
    assertThat(stats.late()).isEqualTo(1);
  }
}
