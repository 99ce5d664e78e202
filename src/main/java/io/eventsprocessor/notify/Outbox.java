package io.eventsprocessor.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The notifications decided on and not yet delivered, with their delivery history: plain Java, time as an
 * argument. Each user's notifications are delivered one at a time, in the order they were decided, while
 * different users' go in parallel. A notification that cannot be delivered becomes a dead letter (kept,
 * bounded, newest kept) instead of being dropped; the ids of delivered ones are remembered (bounded) so that
 * the same notification decided again (a retried event, a replay) is not sent twice.
 */
public final class Outbox {

  /**
   * @param maxAttempts        attempts in all, the first included, before a notification becomes a dead letter
   * @param maxAge             a notification not delivered this long after it was queued becomes a dead letter
   * @param initialBackoff     the base delay after the first failure; it doubles per attempt (full jitter)
   * @param maxBackoff         the largest delay between attempts, before any Retry-After
   * @param deadLetterCapacity dead letters kept; beyond it the oldest is forgotten
   * @param rememberDelivered  ids of delivered notifications remembered to refuse repeats
   */
  public record Policy(int maxAttempts, Duration maxAge, Duration initialBackoff, Duration maxBackoff,
      int deadLetterCapacity, int rememberDelivered) {}

  /**
   * A queued notification. {@code notBefore}: the time of its next attempt; {@code retryAfterUntil}: the
   * receiver's own Retry-After, which even a recovered circuit does not override.
   */
  public record Pending(Notification notification, long queuedAt, int attempts, long notBefore, long retryAfterUntil,
      String lastError) {
    String userId() {
      return notification.userId();
    }

    String id() {
      return notification.id();
    }
  }

  /** A notification delivery gave up on; one record and one JSON shape in both modes (the admin API's). */
  public record DeadLetter(Notification notification, long queuedAt, int attempts, String lastError, long failedAt) {

    /** As the admin API lists it (see openapi.yaml, {@code DeadLetter}): times as RFC 3339 text. */
    public io.vertx.core.json.JsonObject toJson() {
      return new io.vertx.core.json.JsonObject()
          .put("id", notification.id())
          .put("notification", notification.toJson())
          .put("attempts", attempts)
          .put("lastError", lastError)
          .put("queuedAt", java.time.Instant.ofEpochMilli(queuedAt).toString())
          .put("failedAt", java.time.Instant.ofEpochMilli(failedAt).toString());
    }

    public static DeadLetter fromJson(io.vertx.core.json.JsonObject json) {
      return new DeadLetter(Notification.fromJson(json.getJsonObject("notification")),
          java.time.Instant.parse(json.getString("queuedAt")).toEpochMilli(), json.getInteger("attempts"),
          json.getString("lastError"), java.time.Instant.parse(json.getString("failedAt")).toEpochMilli());
    }
  }

  /** Why an attempt failed; {@code retryAfter} is the receiver's Retry-After, or null. */
  public record Failure(boolean retryable, Duration retryAfter, String description) {}

  /** What became of a failed attempt: retried at {@code retryAt}, or dead-lettered ({@code retryAt} = -1). */
  public record Verdict(Pending pending, long retryAt) {
    public boolean deadLettered() {
      return retryAt < 0;
    }
  }

  /** A user's head is due at {@code at}; one per user at most, see {@link #schedule}. */
  private record Ready(long at, String userId) {}

  private final Policy policy;
  private final Map<String, ArrayDeque<Pending>> queues = new HashMap<>();
  private final Set<String> queuedIds = new HashSet<>();
  private final Set<String> inFlightUsers = new HashSet<>();
  private final NavigableSet<Ready> ready =
      new TreeSet<>(Comparator.comparingLong(Ready::at).thenComparing(Ready::userId));
  private final Map<String, Long> readyAt = new HashMap<>();
  private final LinkedHashMap<String, DeadLetter> deadLetters;
  private final LinkedHashMap<String, Long> delivered;

  public Outbox(Policy policy) {
    this.policy = policy;
    this.deadLetters = bounded(policy.deadLetterCapacity());
    this.delivered = bounded(policy.rememberDelivered());
  }

  /** An insertion-ordered map that forgets its eldest entry beyond {@code capacity}. */
  private static <V> LinkedHashMap<String, V> bounded(int capacity) {
    return new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Queues the notification; false when the same id is queued, was delivered, or is a dead letter. */
  public boolean offer(Notification notification, long now) {
    return enqueue(new Pending(notification, now, 0, now, now, null));
  }

  private boolean enqueue(Pending pending) {
    String id = pending.id();
    if (queuedIds.contains(id) || delivered.containsKey(id) || deadLetters.containsKey(id)) {
      return false;
    }
    queuedIds.add(id);
    ArrayDeque<Pending> queue = queues.computeIfAbsent(pending.userId(), u -> new ArrayDeque<>());
    queue.addLast(pending);
    if (queue.size() == 1) {
      schedule(pending.userId(), pending.notBefore());
    }
    return true;
  }

  /** Up to {@code max} notifications due at {@code now}, at most one per user; each is in flight until reported. */
  public List<Pending> takeDue(long now, int max) {
    List<Pending> due = new ArrayList<>();
    while (due.size() < max && !ready.isEmpty() && ready.first().at() <= now) {
      Ready next = ready.pollFirst();
      readyAt.remove(next.userId());
      inFlightUsers.add(next.userId());
      due.add(queues.get(next.userId()).peekFirst());
    }
    return due;
  }

  /** The user's head is due at {@code at}: the user's one entry in the ready set moves there. */
  private void schedule(String userId, long at) {
    Long previous = readyAt.put(userId, at);
    if (previous != null) {
      ready.remove(new Ready(previous, userId));
    }
    ready.add(new Ready(at, userId));
  }

  /** The attempt succeeded: the user's next notification, if any, is due at once. */
  public void delivered(Pending pending, long now) {
    removeHead(pending, now);
    delivered.put(pending.id(), now);
  }

  /**
   * The attempt failed. A retryable failure is tried again after a backoff with full jitter
   * ({@code random} in [0, 1) picks the point), and not before the receiver's Retry-After; a failure that is not
   * retryable, the last allowed attempt, or a retry that would pass the maximum age makes a dead letter.
   */
  public Verdict failed(Pending pending, Failure failure, long now, double random) {
    int attempts = pending.attempts() + 1;
    long ceiling = Math.min(policy.maxBackoff().toMillis(),
        policy.initialBackoff().toMillis() << Math.min(attempts - 1, 30));
    long delay = (long) (random * ceiling);
    if (failure.retryAfter() != null) {
      delay = Math.max(delay, failure.retryAfter().toMillis());
    }
    long retryAt = now + delay;
    long retryAfterUntil = failure.retryAfter() == null ? now : now + failure.retryAfter().toMillis();
    Pending updated = new Pending(pending.notification(), pending.queuedAt(), attempts, retryAt, retryAfterUntil,
        failure.description());
    boolean tooOld = retryAt - pending.queuedAt() >= policy.maxAge().toMillis();
    if (!failure.retryable() || attempts >= policy.maxAttempts() || tooOld) {
      removeHead(pending, now);
      deadLetters.put(pending.id(), new DeadLetter(pending.notification(), pending.queuedAt(), attempts, failure.description(), now));
      return new Verdict(updated, -1);
    }
    replaceHead(updated);
    return new Verdict(updated, retryAt);
  }

  /** The attempt could not be made (delivery paused): tried again at {@code at}, without counting an attempt. */
  public void release(Pending pending, long at) {
    replaceHead(new Pending(pending.notification(), pending.queuedAt(), pending.attempts(), at,
        pending.retryAfterUntil(), pending.lastError()));
  }

  /** The receiver is back: backoffs no longer apply, every waiting notification is due now or at its Retry-After. */
  public void wakeAll(long now) {
    queues.forEach((userId, queue) -> {
      Pending head = queue.peekFirst();
      long at = Math.max(now, head.retryAfterUntil());
      if (!inFlightUsers.contains(userId) && at < head.notBefore()) {
        queue.pollFirst();
        queue.addFirst(new Pending(head.notification(), head.queuedAt(), head.attempts(), at, head.retryAfterUntil(),
            head.lastError()));
        schedule(userId, at);
      }
    });
  }

  /** Forgets a dead letter (kept elsewhere: the cluster's). */
  public void forgetDeadLetter(String id) {
    deadLetters.remove(id);
  }

  /** The dead letter of that id, or null. */
  public DeadLetter deadLetter(String id) {
    return deadLetters.get(id);
  }

  // What the journal recorded, replayed after a crash: the same changes as live, without attempts in flight.

  /** The notification was delivered: it leaves the queue and is remembered as delivered. */
  public void recordDelivered(String userId, String id, long at) {
    removeQueued(userId, id, at);
    delivered.put(id, at);
  }

  /** The notification became a dead letter. */
  public void recordDeadLetter(DeadLetter dead) {
    removeQueued(dead.notification().userId(), dead.notification().id(), dead.failedAt());
    deadLetters.put(dead.notification().id(), dead);
  }

  private void removeQueued(String userId, String id, long now) {
    ArrayDeque<Pending> queue = queues.get(userId);
    if (queue == null || !queuedIds.remove(id)) {
      return;
    }
    boolean wasHead = queue.peekFirst().id().equals(id);
    queue.removeIf(p -> p.id().equals(id));
    if (queue.isEmpty()) {
      queues.remove(userId);
      Long at = readyAt.remove(userId);
      if (at != null) {
        ready.remove(new Ready(at, userId));
      }
    } else if (wasHead) {
      schedule(userId, Math.max(now, queue.peekFirst().notBefore()));
    }
  }

  /** Puts a dead letter back in the queue with a fresh history; false when there is no such dead letter. */
  public boolean retryDeadLetter(String id, long now) {
    DeadLetter dead = deadLetters.remove(id);
    return dead != null && enqueue(new Pending(dead.notification(), now, 0, now, now, null));
  }

  private void replaceHead(Pending updated) {
    ArrayDeque<Pending> queue = queues.get(updated.userId());
    queue.pollFirst();
    queue.addFirst(updated);
    inFlightUsers.remove(updated.userId());
    schedule(updated.userId(), updated.notBefore());
  }

  private void removeHead(Pending pending, long now) {
    ArrayDeque<Pending> queue = queues.get(pending.userId());
    queue.pollFirst();
    queuedIds.remove(pending.id());
    inFlightUsers.remove(pending.userId());
    if (queue.isEmpty()) {
      queues.remove(pending.userId());
    } else {
      schedule(pending.userId(), Math.max(now, queue.peekFirst().notBefore()));
    }
  }

  /** When the next notification falls due, or {@link Long#MAX_VALUE} when none waits (in-flight ones excluded). */
  public long nextDueAt() {
    return ready.isEmpty() ? Long.MAX_VALUE : ready.first().at();
  }

  /** Entries in the ready set: one per user with a waiting notification, never more. */
  int scheduledUsers() {
    return ready.size();
  }

  /** Queued notifications, in flight included. */
  public int size() {
    return queuedIds.size();
  }

  public int inFlight() {
    return inFlightUsers.size();
  }

  public List<DeadLetter> deadLetters() {
    return List.copyOf(deadLetters.values());
  }

  // Snapshots: everything queued (in flight included: it is tried again, under the same id), the dead letters and
  // the remembered delivered ids.

  public JsonObject toJson() {
    JsonArray queued = new JsonArray();
    queues.values().forEach(queue -> queue.forEach(p -> queued.add(new JsonObject()
        .put("notification", p.notification().toJson())
        .put("queuedAt", p.queuedAt())
        .put("attempts", p.attempts())
        .put("lastError", p.lastError()))));
    JsonArray dead = new JsonArray();
    deadLetters.values().forEach(d -> dead.add(new JsonObject()
        .put("notification", d.notification().toJson())
        .put("queuedAt", d.queuedAt())
        .put("attempts", d.attempts())
        .put("lastError", d.lastError())
        .put("failedAt", d.failedAt())));
    JsonObject deliveredIds = new JsonObject();
    delivered.forEach(deliveredIds::put);
    return new JsonObject().put("queued", queued).put("deadLetters", dead).put("delivered", deliveredIds);
  }

  /** Loads saved contents; whatever was queued is due at {@code now}. */
  public void load(JsonObject json, long now) {
    json.getJsonObject("delivered").forEach(e -> delivered.put(e.getKey(), ((Number) e.getValue()).longValue()));
    for (Object item : json.getJsonArray("deadLetters")) {
      JsonObject d = (JsonObject) item;
      Notification n = Notification.fromJson(d.getJsonObject("notification"));
      deadLetters.put(n.id(), new DeadLetter(n, d.getLong("queuedAt"), d.getInteger("attempts"), d.getString("lastError"), d.getLong("failedAt")));
    }
    for (Object item : json.getJsonArray("queued")) {
      JsonObject p = (JsonObject) item;
      enqueue(new Pending(Notification.fromJson(p.getJsonObject("notification")), p.getLong("queuedAt"),
          p.getInteger("attempts"), now, now, p.getString("lastError")));
    }
  }
}
