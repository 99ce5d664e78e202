package io.eventsprocessor.rules;

import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.RuleSet.Step;
import io.eventsprocessor.rules.RuleSet.UserState;
import io.eventsprocessor.rules.UserTable.Entry;
import io.eventsprocessor.state.Bytes;
import io.eventsprocessor.time.DueTimer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Runs the {@link RuleSet} over every user of a single node: keeps each user's state, with exactly one wake-up per
 * user who has something due, at the earliest time any of its families has. Plain Java, used from one thread, time
 * as an argument: the verticle around it owns the thread, the timer, the journal and the snapshots.
 *
 * <p>Memory per user is what a node with a million users pays: see {@link UserTable}.
 */
public final class RuleEngine {

  /** Replaced by a reload, on the engine's thread; read by others (the families' meters). */
  private volatile RuleSet rules;
  private final LongAdder applied = new LongAdder();
  private final LongAdder decided = new LongAdder();
  private final UserTable users = new UserTable();

  public RuleEngine(RuleSet rules) {
    this.rules = rules;
  }

  public RuleEngine(List<RuleSet.Configured<?>> configured) {
    this(new RuleSet(configured));
  }

  public RuleSet rules() {
    return rules;
  }

  public List<RuleSet.Family<?>> families() {
    return rules.families();
  }

  /** The event types some family consumes. */
  public Set<String> types() {
    return rules.types();
  }

  /** Users with anything kept: state in a family, or an event id within the duplicate window. */
  public int users() {
    return users.size();
  }

  public boolean hasUser(String userId) {
    return users.get(userId) != null;
  }

  /** What is kept of the user, or null when nothing is. */
  public UserState user(String userId) {
    Entry entry = users.get(userId);
    return entry == null ? null : entry.state();
  }

  /** Events applied since the start (readable from any thread). */
  public long applied() {
    return applied.sum();
  }

  /** Notifications the families decided on since the start (readable from any thread). */
  public long decided() {
    return decided.sum();
  }

  /** Whether the user had the event applied already (see {@link RecentEvents}). */
  public boolean applied(Event event, long realNow) {
    Entry entry = users.get(event.userId());
    return entry != null && rules.applied(entry.view(), event, realNow);
  }

  /**
   * Applies the event to every family that declared its type, unless it was applied already.
   *
   * @param realNow the server's time now, in epoch millis: it anchors the user's event clock
   * @return the reply, and the notifications the families decided, in order
   */
  public Step apply(Event event, long realNow) {
    Entry entry = users.get(event.userId());
    Step step = rules.apply(entry == null ? null : entry.state(), event, realNow);
    if (step.reply() == Reply.DUPLICATE) {
      return step;
    }
    commit(event.userId(), entry, step.state(), realNow, false);
    applied.increment();
    decided.add(step.notifications().size());
    return step;
  }

  /** When the next user is due, in server epoch millis; {@link DueTimer#NEVER} when nobody is. */
  public long nextWakeAt() {
    Entry first = users.firstDue();
    return first == null ? DueTimer.NEVER : first.wakeAt;
  }

  /** Lets time pass for every user due at {@code realNow}; returns what their families decided, in order. */
  public List<Notification> wakeUp(long realNow) {
    // Take the due ones out first: what a wake-up schedules anew is for a later call.
    List<Entry> due = new ArrayList<>();
    while (users.firstDue() != null && users.firstDue().wakeAt <= realNow) {
      due.add(users.takeFirstDue());
    }
    List<Notification> sent = new ArrayList<>();
    for (Entry entry : due) {
      Step step = rules.wakeUp(entry.userId, entry.state(), realNow);
      commit(entry.userId, entry, step.state(), realNow, true);
      sent.addAll(step.notifications());
    }
    decided.add(sent.size());
    return sent;
  }

  /** Stores the user's new state, in place of its entry in the heap of wake-ups when it is due some time. */
  private void commit(String userId, Entry before, UserState state, long realNow, boolean afterWakeUp) {
    rules.count(before == null ? null : before.view(), state);
    if (state == null) {
      if (before != null) {
        users.remove(before);
      }
      return;
    }
    users.put(before, userId, state, rules.wakeAt(userId, state, realNow, afterWakeUp));
  }

  /**
   * Runs {@code next} from now on, with every user's running state moved to it (see {@link RuleSet#migrate}): a
   * family of the same name and layout keeps its users' states, whatever else its settings changed; the others'
   * are dropped. Each user's next wake-up is what the new rules say.
   *
   * @return the users whose state was dropped, by family name
   */
  public Map<String, Integer> use(RuleSet next, long realNow) {
    RuleSet before = rules;
    int[] to = next.migrationFrom(before);
    if (next.sameFamiliesAs(before, to)) {
      // Only settings changed: every state stays where it is, and what is armed keeps its due time. No user to move
      // (a million take seconds on two cores, while events wait).
      next.countAs(before);
      rules = next;
      return Map.of();
    }
    Map<String, Integer> dropped = new java.util.TreeMap<>();
    List<UserState> kept = new ArrayList<>(users.size());
    UserTable.forEach(users.copy(), entry -> {
      UserState state = next.migrate(entry.state(), before, to, dropped);
      if (state == null) {
        users.remove(entry);
      } else {
        users.put(entry, entry.userId, state, next.wakeAt(entry.userId, state, realNow, false));
        kept.add(state);
      }
    });
    next.recount(kept);
    rules = next;
    return dropped;
  }

  // Snapshots: a record per user: its id, then its state as the rule set writes it.

  /**
   * Every user's state as it stands, cheap to take, to be written on any thread: the users' entries stay as they
   * are until it is written or {@linkplain Snapshot#release released}.
   */
  public Snapshot snapshot() {
    return new Snapshot(rules, users.hold(), users.size());
  }

  /** A copy of the users taken on the engine's thread, to be written elsewhere. */
  public final class Snapshot {
    /** The rules the states were taken under: a reload before the snapshot is written does not change them. */
    private final RuleSet rules;
    private final UserTable.Hold entries;
    private final int users;

    private Snapshot(RuleSet rules, UserTable.Hold entries, int users) {
      this.rules = rules;
      this.entries = entries;
      this.users = users;
    }

    public int users() {
      return users;
    }

    /** One record per user; the buffer is reused, so each must be consumed at once. Releases the snapshot. */
    public void write(Consumer<ByteBuf> records) {
      try {
        ByteBuf record = Unpooled.buffer(512);
        UserTable.forEach(entries.entries, entry -> {
          record.clear();
          Bytes.writeString(record, entry.userId);
          rules.write(record, entry.view()); // held: its arrays do not change
          records.accept(record);
        });
      } finally {
        release();
      }
    }

    /**
     * The snapshot is written, or will not be: the engine may change its users' entries in place again (until then
     * it replaces them). Any thread; releasing again does nothing.
     */
    public void release() {
      entries.release();
    }
  }

  /**
   * Loads a user written by {@link Snapshot#write} and re-arms its wake-up; what fell due while the service was
   * down is due at once.
   */
  public void restoreUser(ByteBuf record, long realNow, Map<String, Integer> dropped) {
    String userId = Bytes.readString(record);
    commit(userId, users.get(userId), rules.read(record, dropped), realNow, false);
  }
}
