package io.eventsprocessor.rules;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.state.Bytes;
import io.eventsprocessor.time.DueTimer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the registered rule families over every user: keeps one entry per user (the user's event clock and one
 * state per family), applies an event to the families that declared its type, and wakes a user's families when
 * the user's clock reaches their next due time. Plain Java, used from one thread, time as an argument: the verticle
 * around it owns the thread, the timer and the saving.
 *
 * <p>A family whose rule throws keeps that user's previous state in that family; the other families, the other
 * users and the wake-ups go on. The failure is logged with the event's id and counted.
 */
public final class RuleEngine {
  private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);

  /** A family with its configured rules and what it counts; {@code index} is its slot in a user's states. */
  public static final class Family<S> {
    final int index;
    final RuleFamily<S> family;
    final UserRules<S> rules;
    final StateCodec<S> codec;
    final AtomicInteger users = new AtomicInteger();
    final LongAdder failed = new LongAdder();

    Family(int index, Configured<S> configured) {
      this.index = index;
      this.family = configured.family();
      this.rules = configured.rules();
      this.codec = family.codec();
    }

    public String name() {
      return family.name();
    }

    /** Users with state in this family; read from another thread it is an estimate. */
    public int users() {
      return users.get();
    }

    /** Events and wake-ups whose rule threw. */
    public long failed() {
      return failed.sum();
    }

    @SuppressWarnings("unchecked")
    Outcome<S> apply(Object state, Event event) {
      return rules.apply((S) state, event);
    }

    @SuppressWarnings("unchecked")
    Outcome<S> tick(String userId, Object state, Instant now) {
      return rules.tick(userId, (S) state, now);
    }

    @SuppressWarnings("unchecked")
    Instant nextDue(Object state) {
      return state == null ? null : rules.nextDue((S) state);
    }

    @SuppressWarnings("unchecked")
    JsonObject encode(Object state) {
      return codec.encode((S) state);
    }
  }

  /** A family as configured: the descriptor and the rules its settings gave. */
  public record Configured<S>(RuleFamily<S> family, UserRules<S> rules) {}

  /**
   * A user's entry: immutable, replaced on every change, so that a copy of the map is a consistent snapshot.
   *
   * @param states one per family, by index; null where the user has nothing pending
   * @param wakeAt the server time of the user's one wake-up, or {@link DueTimer#NEVER}
   */
  private record Entry(UserClock clock, Object[] states, long wakeAt) {}

  /** A wake-up; each user with something due has exactly one, at the time its entry names. */
  private record WakeUp(long at, String userId) {}

  private final List<Family<?>> families = new ArrayList<>();
  private final LongAdder applied = new LongAdder();
  private final LongAdder decided = new LongAdder();
  private final Map<String, int[]> consumersByType = new HashMap<>();
  private final Map<String, Entry> users = new HashMap<>();
  private final NavigableSet<WakeUp> wakeUps =
      new TreeSet<>(Comparator.comparingLong(WakeUp::at).thenComparing(WakeUp::userId));

  public RuleEngine(List<Configured<?>> configured) {
    for (Configured<?> c : configured) {
      Family<?> family = new Family<>(families.size(), c);
      families.add(family);
      for (String type : c.family().schemas().stream().map(EventSchema::type).distinct().toList()) {
        int[] before = consumersByType.getOrDefault(type, new int[0]);
        int[] after = Arrays.copyOf(before, before.length + 1);
        after[before.length] = family.index;
        consumersByType.put(type, after);
      }
    }
  }

  public List<Family<?>> families() {
    return List.copyOf(families);
  }

  /** The event types some family consumes. */
  public Set<String> types() {
    return consumersByType.keySet();
  }

  /** Users with anything pending, in any family. */
  public int users() {
    return users.size();
  }

  public boolean hasUser(String userId) {
    return users.containsKey(userId);
  }

  /** Events applied since the start (readable from any thread). */
  public long applied() {
    return applied.sum();
  }

  /** Notifications the families decided on since the start (readable from any thread). */
  public long decided() {
    return decided.sum();
  }

  /**
   * Applies the event to every family that declared its type, in registration order.
   *
   * @param realNow the server's time now, in epoch millis: it anchors the user's event clock
   * @return the notifications the families decided, in order
   */
  public List<Notification> apply(Event event, long realNow) {
    int[] consumers = consumersByType.get(event.type());
    if (consumers == null) {
      return List.of();
    }
    String userId = event.userId();
    Entry entry = users.get(userId);
    UserClock clock = entry == null
        ? UserClock.startingAt(event.occurredAt(), realNow)
        : entry.clock().observe(event.occurredAt(), realNow);
    Object[] states = entry == null ? new Object[families.size()] : entry.states().clone();
    List<Notification> sent = new ArrayList<>(1);
    for (int i : consumers) {
      Family<?> family = families.get(i);
      try {
        Outcome<?> outcome = family.apply(states[i], event);
        log(family, userId, "event " + event.id() + " (" + event.type() + ")", outcome);
        states[i] = outcome.state();
        sent.addAll(outcome.notifications());
      } catch (RuntimeException e) {
        family.failed.increment();
        LOG.error("{}: user {}, event {} ({}): the rule failed, the user's state in this family is kept as it was",
            family.name(), userId, event.id(), event.type(), e);
      }
    }
    commit(userId, entry, clock, states, realNow, false);
    applied.increment();
    decided.add(sent.size());
    return sent;
  }

  /** When the next user is due, in server epoch millis; {@link DueTimer#NEVER} when nobody is. */
  public long nextWakeAt() {
    return wakeUps.isEmpty() ? DueTimer.NEVER : wakeUps.first().at();
  }

  /** Lets time pass for every user due at {@code realNow}; returns what their families decided, in order. */
  public List<Notification> wakeUp(long realNow) {
    // Take the due ones out first: what a wake-up schedules anew is for a later call.
    List<WakeUp> due = new ArrayList<>();
    while (!wakeUps.isEmpty() && wakeUps.first().at() <= realNow) {
      due.add(wakeUps.pollFirst());
    }
    List<Notification> sent = new ArrayList<>();
    for (WakeUp wakeUp : due) {
      sent.addAll(wakeUp(users.get(wakeUp.userId()), wakeUp.userId(), realNow));
    }
    decided.add(sent.size());
    return sent;
  }

  private List<Notification> wakeUp(Entry entry, String userId, long realNow) {
    Instant now = entry.clock().now(realNow);
    Object[] states = entry.states().clone();
    List<Notification> sent = new ArrayList<>(1);
    for (Family<?> family : families) {
      Object state = states[family.index];
      try {
        Instant due = family.nextDue(state);
        if (due == null || due.isAfter(now)) {
          continue;
        }
        Outcome<?> outcome = family.tick(userId, state, now);
        log(family, userId, "clock " + now, outcome);
        states[family.index] = outcome.state();
        sent.addAll(outcome.notifications());
      } catch (RuntimeException e) {
        family.failed.increment();
        LOG.error("{}: user {}, clock {}: the rule failed, the user's state in this family is kept as it was",
            family.name(), userId, now, e);
      }
    }
    // The wake-up was taken out of the set: the entry no longer holds one.
    commit(userId, new Entry(entry.clock(), entry.states(), DueTimer.NEVER), entry.clock(), states, realNow, true);
    return sent;
  }

  /**
   * Stores the user's new states and keeps exactly one wake-up for the earliest due time among them.
   *
   * @param afterTick a family still due after its tick would wake the user again at once, forever: such a due
   *                  time (a failed tick, a rule that does not clear what it fired) is left for the next event
   */
  private void commit(String userId, Entry before, UserClock clock, Object[] states, long realNow, boolean afterTick) {
    Instant now = clock.now(realNow);
    long wakeAt = DueTimer.NEVER;
    boolean any = false;
    for (Family<?> family : families) {
      Object state = states[family.index];
      Object previous = before == null ? null : before.states()[family.index];
      if ((previous == null) != (state == null)) {
        family.users.addAndGet(state == null ? -1 : 1);
      }
      if (state == null) {
        continue;
      }
      any = true;
      Instant due;
      try {
        due = family.nextDue(state);
      } catch (RuntimeException e) {
        family.failed.increment();
        LOG.error("{}: user {}: the rule's next due time failed; nothing is scheduled for this family",
            family.name(), userId, e);
        continue;
      }
      if (due != null && !(afterTick && !due.isAfter(now))) {
        wakeAt = Math.min(wakeAt, clock.realTimeOf(due));
      }
    }
    long previousWake = before == null ? DueTimer.NEVER : before.wakeAt();
    if (wakeAt != previousWake) {
      if (previousWake != DueTimer.NEVER) {
        wakeUps.remove(new WakeUp(previousWake, userId));
      }
      if (wakeAt != DueTimer.NEVER) {
        wakeUps.add(new WakeUp(wakeAt, userId));
      }
    }
    if (any) {
      users.put(userId, new Entry(clock, states, wakeAt));
    } else {
      users.remove(userId);
    }
  }

  private static void log(Family<?> family, String userId, String cause, Outcome<?> outcome) {
    if (outcome.notable()) {
      LOG.info("{}: user {}, {}: {}", family.name(), userId, cause, outcome.decision());
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("{}: user {}, {}: {}", family.name(), userId, cause, outcome.decision());
    }
  }

  // Snapshots: a record per user: its id, its clock, then each family's state by the family's name, as its codec
  // encodes it.

  /** Every user's entry as it stands, cheap to take (the entries are immutable); written on any thread. */
  public Snapshot snapshot() {
    return new Snapshot(new HashMap<>(users));
  }

  /** A copy of the users taken on the engine's thread, to be written elsewhere. */
  public final class Snapshot {
    private final Map<String, Entry> entries;

    private Snapshot(Map<String, Entry> entries) {
      this.entries = entries;
    }

    public int users() {
      return entries.size();
    }

    /** One record per user. */
    public void write(Consumer<ByteBuf> records) {
      ByteBuf record = Unpooled.buffer(512);
      entries.forEach((userId, entry) -> {
        record.clear();
        Bytes.writeString(record, userId);
        record.writeLong(entry.clock().eventMillis()).writeLong(entry.clock().realMillis());
        for (Family<?> family : families) {
          Object state = entry.states()[family.index];
          if (state != null) {
            Bytes.writeString(record, family.name());
            Bytes.writeString(record, family.encode(state).encode());
          }
        }
        records.accept(record);
      });
    }
  }

  /**
   * Loads a user written by {@link Snapshot#write} and re-arms its wake-up; what fell due while the service was
   * down is due at once. A family's state saved by a version that no longer registers that family is dropped and
   * counted in {@code dropped}.
   */
  public void restoreUser(ByteBuf record, long realNow, Map<String, Integer> dropped) {
    String userId = Bytes.readString(record);
    UserClock clock = new UserClock(record.readLong(), record.readLong());
    Object[] states = new Object[families.size()];
    while (record.isReadable()) {
      String name = Bytes.readString(record);
      String state = Bytes.readString(record);
      Family<?> family = family(name);
      if (family == null) {
        dropped.merge(name, 1, Integer::sum);
      } else {
        states[family.index] = family.codec.decode(new JsonObject(state));
      }
    }
    commit(userId, users.get(userId), clock, states, realNow, false);
  }

  private Family<?> family(String name) {
    for (Family<?> family : families) {
      if (family.name().equals(name)) {
        return family;
      }
    }
    return null;
  }

  /**
   * Loads users saved as JSON, {@code {"users": {id: {"clock": {"event", "real"}, "<family>": state, …}}}} (as the
   * state files of the version before snapshots held them), and re-arms their wake-ups.
   *
   * @throws RuntimeException when the saved state cannot be read (the start is then refused)
   */
  public void restore(JsonObject saved, long realNow) {
    Map<String, Family<?>> byName = new LinkedHashMap<>();
    families.forEach(f -> byName.put(f.name(), f));
    Map<String, Integer> dropped = new LinkedHashMap<>();
    saved.getJsonObject("users").forEach(field -> {
      JsonObject user = (JsonObject) field.getValue();
      JsonObject savedClock = user.getJsonObject("clock");
      UserClock clock = new UserClock(savedClock.getLong("event"), savedClock.getLong("real"));
      Object[] states = new Object[families.size()];
      for (String key : user.fieldNames()) {
        if (key.equals("clock")) {
          continue;
        }
        Family<?> family = byName.get(key);
        if (family == null) {
          dropped.merge(key, 1, Integer::sum);
        } else {
          states[family.index] = family.codec.decode(user.getJsonObject(key));
        }
      }
      commit(field.getKey(), users.get(field.getKey()), clock, states, realNow, false);
    });
    logDropped(dropped);
  }

  /** Says which saved families' states were dropped, for how many users. */
  public static void logDropped(Map<String, Integer> dropped) {
    dropped.forEach((name, count) ->
        LOG.warn("saved state of {} user(s) in rule family '{}' dropped: no such family is registered", count, name));
  }
}
