package io.eventsprocessor.ingest;

import io.eventsprocessor.event.Decoded;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventAddresses;
import io.eventsprocessor.event.EventJson;
import io.eventsprocessor.event.FieldError;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits the decoded events of one request, in order, whatever endpoint they came through: refuses the whole
 * request when the caller may not post one of its users' events, answers a resent event "duplicate", holds back a
 * user over their rate (and that user's later events of the request: the rules must see a user's events in
 * order), and hands the rest to the rules. Plain Java: one instance serves every HTTP edge of the process (its
 * parts are thread-safe), so a duplicate or a rate is judged the same whichever edge a request reaches.
 */
public final class Admission {
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

  /** Where admitted events go. */
  public interface Publisher {
    /** An accepted event, for the families that declared its type. */
    void accepted(Event event);

    /** A well-formed event of a type no family declares, for the fallback consumer. */
    void unsupported(Event event);

    /** On the event bus: under the type's address, or the fallback address. */
    static Publisher onBus(EventBus bus) {
      return new Publisher() {
        @Override
        public void accepted(Event event) {
          bus.publish(EventAddresses.forType(event.type()), EventJson.toJson(event));
        }

        @Override
        public void unsupported(Event event) {
          bus.send(EventAddresses.UNSUPPORTED, EventJson.toJson(event));
        }
      };
    }
  }

  /** How one event of a request was answered; {@code wire} is how the API spells it. */
  public enum Status {
    ACCEPTED("accepted"), UNSUPPORTED("unsupported"), DUPLICATE("duplicate"), REJECTED("rejected"),
    RATE_LIMITED("rate_limited");

    public final String wire;

    Status(String wire) {
      this.wire = wire;
    }
  }

  /** One event's answer: its id when it was read, what is wrong when rejected, how long to wait when limited. */
  public record Item(int index, String id, Status status, List<FieldError> errors, long retryAfterNanos) {
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
  private final DuplicateFilter duplicates;
  private final LateEvents late;
  private final IngestStats stats;
  private final Publisher publisher;

  public Admission(RateLimiter perUser, DuplicateFilter duplicates, LateEvents late, IngestStats stats,
      Publisher publisher) {
    this.perUser = perUser;
    this.duplicates = duplicates;
    this.late = late;
    this.stats = stats;
    this.publisher = publisher;
  }

  public Verdict admit(Caller caller, List<Decoded> decoded) {
    for (Decoded d : decoded) {
      if (d instanceof Decoded.Valid valid && !caller.mayPostFor(valid.event().userId())) {
        stats.forbidden.increment();
        return new Forbidden(caller.subject(), valid.event().userId());
      }
    }
    List<Item> items = new ArrayList<>(decoded.size());
    Map<String, Long> limitedUsers = new HashMap<>();
    for (int i = 0; i < decoded.size(); i++) {
      if (decoded.get(i) instanceof Decoded.Invalid invalid) {
        stats.rejected.increment();
        items.add(new Item(i, null, Status.REJECTED, invalid.errors(), 0));
      } else {
        items.add(admit(i, (Decoded.Valid) decoded.get(i), limitedUsers));
      }
    }
    return new Admitted(items);
  }

  private Item admit(int index, Decoded.Valid valid, Map<String, Long> limitedUsers) {
    Event event = valid.event();
    if (duplicates.seen(event)) {
      return duplicate(index, event);
    }
    Long limited = limitedUsers.get(event.userId());
    long wait = limited != null ? limited : perUser.tryTake(event.userId());
    if (wait > 0) {
      limitedUsers.put(event.userId(), wait);
      stats.rateLimited.increment();
      return new Item(index, event.id(), Status.RATE_LIMITED, List.of(), wait);
    }
    // Every check that turns an event away belongs above this line: once remembered, a resent event is answered
    // "duplicate" and never applied.
    if (!duplicates.remember(event)) {
      return duplicate(index, event);
    }
    observe(valid);
    if (valid.supported()) {
      publisher.accepted(event);
      stats.accepted.increment();
      return new Item(index, event.id(), Status.ACCEPTED, List.of(), 0);
    }
    publisher.unsupported(event);
    stats.unsupported.increment();
    return new Item(index, event.id(), Status.UNSUPPORTED, List.of(), 0);
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
      LOG.info("event {} of user {} stamped {} (sent at {}), received {}: too far in the future, taken as {}",
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
