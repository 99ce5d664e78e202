package io.eventsprocessor.ingest;

import io.eventsprocessor.event.Decoded;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.FieldError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits the decoded events of one request, in order, whatever endpoint they came through: refuses the whole
 * request when the caller may not post one of its users' events, holds back a
 * user over their rate (and that user's later events of the request: the rules must see a user's events in
 * order), and hands the rest to the rules, which answer once each event is applied and on disk, or that it is a
 * resend of one they applied. Plain Java: each HTTP edge has its own, with its own {@link Publisher}, and all share
 * their parts (thread-safe), so a rate is judged the same whichever edge a request reaches. Events of a type no
 * rule declares are passed to the fallback consumer and answered "unsupported" each time: nothing is kept of them,
 * so nothing remembers them either.
 */
public final class Admission {
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

  /** How long a 503 asks the client to wait. */
  public static final long UNAVAILABLE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** The rules cannot take the event now (its state cannot be kept); the message says why. */
  public static final class Unavailable extends RuntimeException {
    public Unavailable(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Where admitted events go. */
  public interface Publisher {
    /**
     * Hands an event of a type some family declares to the rules. Completes with {@link Status#ACCEPTED} once it is
     * applied and durable, {@link Status#DUPLICATE} when it already was, or {@link Status#RATE_LIMITED} when the
     * rules keep the user's rate (a cluster's owner) and it was over; fails with {@link Unavailable}.
     */
    Future<Status> accepted(Event event);

    /** A well-formed event of a type no family declares, for the fallback consumer. */
    void unsupported(Event event);
  }

  /** How one event of a request was answered; {@code wire} is how the API spells it. */
  public enum Status {
    ACCEPTED("accepted"), UNSUPPORTED("unsupported"), DUPLICATE("duplicate"), REJECTED("rejected"),
    RATE_LIMITED("rate_limited"), UNAVAILABLE("unavailable");

    public final String wire;

    Status(String wire) {
      this.wire = wire;
    }
  }

  /**
   * One event's answer: its id when it was read, what is wrong when rejected, how long to wait when limited or
   * unavailable, and why it is unavailable.
   */
  public record Item(int index, String id, Status status, List<FieldError> errors, long retryAfterNanos, String detail) {
    Item(int index, String id, Status status, List<FieldError> errors, long retryAfterNanos) {
      this(index, id, status, errors, retryAfterNanos, null);
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("index", index);
      if (id != null) {
        json.put("id", id);
      }
      json.put("status", status.wire);
      if (!errors.isEmpty()) {
        json.put("errors", Problem.toJson(errors));
      }
      return json;
    }
  }

  /** What became of a request's events. */
  public sealed interface Verdict {}

  /** Nothing was taken: an event's user is not the one the credentials speak for. */
  public record Forbidden(String subject, String userId) implements Verdict {}

  /** Each event's answer, in the request's order. */
  public record Admitted(List<Item> items) implements Verdict {}

  private final RateLimiter perUser;
  private final long limitedByRulesNanos;
  private final LateEvents late;
  private final IngestStats stats;
  private final Publisher publisher;

  /**
   * @param perUser             the users' rate as this edge keeps it: unlimited where the rules keep it (a cluster)
   * @param limitedByRulesNanos how long an event the rules found over its user's rate is asked to wait
   */
  public Admission(RateLimiter perUser, long limitedByRulesNanos, LateEvents late, IngestStats stats,
      Publisher publisher) {
    this.perUser = perUser;
    this.limitedByRulesNanos = limitedByRulesNanos;
    this.late = late;
    this.stats = stats;
    this.publisher = publisher;
  }

  /** Completes once every event of the request is answered: for the accepted ones, once they are durable. */
  public Future<Verdict> admit(Caller caller, List<Decoded> decoded) {
    for (Decoded d : decoded) {
      if (d instanceof Decoded.Valid valid && !caller.mayPostFor(valid.event().userId())) {
        stats.forbidden.increment();
        return Future.succeededFuture(new Forbidden(caller.subject(), valid.event().userId()));
      }
    }
    List<Future<Item>> items = new ArrayList<>(decoded.size());
    Map<String, Long> limitedUsers = new HashMap<>();
    for (int i = 0; i < decoded.size(); i++) {
      if (decoded.get(i) instanceof Decoded.Invalid invalid) {
        stats.rejected.increment();
        items.add(Future.succeededFuture(new Item(i, null, Status.REJECTED, invalid.errors(), 0)));
      } else {
        items.add(admit(i, (Decoded.Valid) decoded.get(i), limitedUsers));
      }
    }
    return Future.join(items).map(all -> {
      List<Item> answers = new ArrayList<>(items.size());
      for (Future<Item> item : items) {
        answers.add(item.result());
      }
      return new Admitted(answers);
    });
  }

  private Future<Item> admit(int index, Decoded.Valid valid, Map<String, Long> limitedUsers) {
    Event event = valid.event();
    Long limited = limitedUsers.get(event.userId());
    long wait = limited != null ? limited : perUser.tryTake(event.userId());
    if (wait > 0) {
      limitedUsers.put(event.userId(), wait);
      stats.rateLimited.increment();
      return Future.succeededFuture(new Item(index, event.id(), Status.RATE_LIMITED, List.of(), wait));
    }
    if (!valid.supported()) {
      observe(valid);
      publisher.unsupported(event);
      stats.unsupported.increment();
      return Future.succeededFuture(new Item(index, event.id(), Status.UNSUPPORTED, List.of(), 0));
    }
    return publisher.accepted(event).transform(done -> {
      if (done.failed()) {
        stats.unavailable.increment();
        return Future.succeededFuture(new Item(index, event.id(), Status.UNAVAILABLE, List.of(),
            UNAVAILABLE_RETRY_NANOS, done.cause().getMessage()));
      }
      if (done.result() == Status.DUPLICATE) {
        return Future.succeededFuture(duplicate(index, event));
      }
      if (done.result() == Status.RATE_LIMITED) {
        stats.rateLimited.increment();
        return Future.succeededFuture(new Item(index, event.id(), Status.RATE_LIMITED, List.of(), limitedByRulesNanos));
      }
      observe(valid);
      stats.accepted.increment();
      return Future.succeededFuture(new Item(index, event.id(), Status.ACCEPTED, List.of(), 0));
    });
  }

  private Item duplicate(int index, Event event) {
    stats.duplicates.increment();
    LOG.debug("event {} of user {} is a duplicate", event.id(), event.userId());
    return new Item(index, event.id(), Status.DUPLICATE, List.of(), 0);
  }

  /** Logs (and counts) what is unusual about an accepted event's time. */
  private void observe(Decoded.Valid valid) {
    Event event = valid.event();
    if (valid.clamped()) {
      stats.clamped.increment();
      LOG.atInfo().addKeyValue("eventId", event.id()).addKeyValue("userId", event.userId()).log(
          "event {} of user {} stamped {} (sent at {}), received {}: too far in the future, taken as {}",
          event.id(), event.userId(), event.deviceOccurredAt(), event.sentAt(), event.receivedAt(), event.occurredAt());
    } else if (LOG.isDebugEnabled() && event.sentAt() != null) {
      LOG.debug("event {} of user {} stamped {}, sent at {}, received {}: taken as {}", event.id(), event.userId(),
          event.deviceOccurredAt(), event.sentAt(), event.receivedAt(), event.occurredAt());
    }
    if (late.observe(event)) {
      stats.late.increment();
      LOG.debug("event {} of user {} at {} is late: the user has a later event", event.id(), event.userId(),
          event.occurredAt());
    }
  }
}
