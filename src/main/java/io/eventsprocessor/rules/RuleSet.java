package io.eventsprocessor.rules;

import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.event.Zones;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.policy.Deferred;
import io.eventsprocessor.policy.Marks;
import io.eventsprocessor.policy.Policy;
import io.eventsprocessor.policy.Reason;
import io.eventsprocessor.state.Bytes;
import io.eventsprocessor.time.DueTimer;
import io.netty.buffer.ByteBuf;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import org.slf4j.spi.NOPLoggingEventBuilder;

/**
 * The registered rule families, as configured, and one user's step through them: an event applied to the families
 * that declared its type, in registration order, or time let pass for the families that have something due. Pure
 * and stateless but for counters: the one processing core of the service. The same step, duplicate memory
 * included, runs in the single-node engine and in the cluster, where it runs on the node that owns the user; the
 * modes differ only in where a user's entry is kept and how it is made durable.
 *
 * <p>A family whose rule throws keeps that user's previous state in that family; the other families go on. The
 * failure is logged with the event's id and counted.
 */
public final class RuleSet {
  private static final Logger LOG = LoggerFactory.getLogger(RuleSet.class);

  /** A family with its configured rules and what it counts; {@code index} is its slot in a user's states. */
  public static final class Family<S> {
    final int index;
    final RuleFamily<S> family;
    final UserRules<S> rules;
    final StateCodec<S> codec;
    /** Its name and a hash of its layout: what a saved state is kept by (see {@link RuleFamily#layout}). */
    final String key;
    final AtomicInteger users = new AtomicInteger();
    final LongAdder failed = new LongAdder();
    final LongAdder[] suppressed = new LongAdder[Reason.values().length];
    final LongAdder deferred = new LongAdder();
    final AtomicInteger held = new AtomicInteger();

    Family(int index, Configured<S> configured) {
      this.index = index;
      this.family = configured.family();
      this.rules = configured.rules();
      this.codec = family.codec();
      this.key = family.name() + '@' + Integer.toHexString(family.layout().hashCode());
      for (int i = 0; i < suppressed.length; i++) {
        suppressed[i] = new LongAdder();
      }
    }

    public String name() {
      return family.name();
    }

    /** Users with state in this family on this node; read from another thread it is an estimate. */
    public int users() {
      return users.get();
    }

    /** Events and wake-ups whose rule threw. */
    public long failed() {
      return failed.sum();
    }

    /** Notifications of this family that did not reach the user, for that reason. */
    public long suppressed(Reason reason) {
      return suppressed[reason.ordinal()].sum();
    }

    /** Notifications of this family held back by quiet hours (each goes out later, and counts as sent then). */
    public long deferred() {
      return deferred.sum();
    }

    /** Notifications of this family waiting for quiet hours to end on this node now; an estimate from another thread. */
    public int held() {
      return held.get();
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
   * What the service keeps of one user, in both modes: the user's event clock (its two instants, kept flat: a
   * million users are a million of these), one state per family, and the ids of its latest events (see {@link
   * RecentEvents}). Immutable: a step gives a new one.
   *
   * @param states   one per family, by index; null where the user has nothing pending
   * @param recent   the latest events' ids and when they were applied, oldest first (see {@link RecentEvents})
   * @param timeZone the user's time zone as its latest event that told one said (see {@code event.Zones}), or null
   * @param locale   the user's language as its latest event that told one said, or null
   * @param marks    when the user got its notifications and last trained (see {@code policy.Marks})
   * @param deferred notifications waiting for quiet hours to end
   */
  public record UserState(long clockEventMillis, long clockRealMillis, Object[] states, long[] recent,
      String timeZone, String locale, long[] marks, Deferred[] deferred) {
    UserState(UserClock clock, Object[] states, long[] recent, String timeZone, String locale, long[] marks,
        Deferred[] deferred) {
      this(clock.eventMillis(), clock.realMillis(), states, recent, timeZone, locale, marks, deferred);
    }

    public UserClock clock() {
      return new UserClock(clockEventMillis, clockRealMillis);
    }
  }

  /**
   * A step's result.
   *
   * @param state what is left of the user, or null when nothing is kept (no family has state, no recent id)
   * @param reply for an event, what the edge answers; null for a wake-up
   */
  public record Step(UserState state, Reply reply, List<Notification> notifications) {}

  private final List<Family<?>> families = new ArrayList<>();
  private final Map<String, int[]> consumersByType = new HashMap<>();
  private final RecentEvents recentEvents;
  private final RuleDefaults defaults;
  private final Policy policy;

  /** With the service's default duplicate memory (see {@link RecentEvents#DEFAULT}) and defaults. */
  public RuleSet(List<Configured<?>> configured) {
    this(configured, RecentEvents.DEFAULT, RuleDefaults.DEFAULT);
  }

  public RuleSet(List<Configured<?>> configured, RecentEvents recentEvents, RuleDefaults defaults) {
    this.recentEvents = recentEvents;
    this.defaults = defaults;
    this.policy = new Policy(configured.stream().map(c -> c.family().policy()).toList(), defaults.maxPerDay());
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

  public RecentEvents recentEvents() {
    return recentEvents;
  }

  /** What holds for a user whose events never told it: time zone, language. */
  public RuleDefaults defaults() {
    return defaults;
  }

  /** Whether the user had the event applied already, within the duplicate memory's rule. */
  public boolean applied(UserState user, Event event, long realNow) {
    return user != null && recentEvents.contains(user.recent(), RecentEvents.hash(event.id()), realNow);
  }

  /**
   * Applies the event to every family that declared its type, in registration order, and remembers its id, unless
   * the user had it applied already: then nothing changes and the reply is {@link Reply#DUPLICATE}.
   *
   * @param before  the user's state, or null for a user with nothing kept
   * @param realNow the server's time now, in epoch millis: it anchors the user's event clock
   */
  public Step apply(UserState before, Event event, long realNow) {
    int[] consumers = consumersByType.get(event.type());
    if (consumers == null) {
      return new Step(before, Reply.ACCEPTED, List.of()); // the edge hands the rules no such event: nothing to keep
    }
    long hash = RecentEvents.hash(event.id());
    if (before != null && recentEvents.contains(before.recent(), hash, realNow)) {
      return new Step(before, Reply.DUPLICATE, List.of());
    }
    long[] recent = recentEvents.remember(before == null ? RecentEvents.NONE : before.recent(), hash, realNow);
    String userId = event.userId();
    UserClock clock = before == null
        ? UserClock.startingAt(event.occurredAt(), realNow)
        : before.clock().observe(event.occurredAt(), realNow);
    Object[] states = before == null ? new Object[families.size()] : before.states().clone();
    // The latest event that tells the user's zone or language wins (a user may travel, or change the app's language).
    String timeZone = event.timeZone() != null || before == null ? event.timeZone() : before.timeZone();
    String locale = event.locale() != null || before == null ? event.locale() : before.locale();
    long[] marks = before == null ? Marks.NONE : before.marks();
    List<Notification> sent = new ArrayList<>(1);
    Deferred[] deferred = before == null ? Deferred.NONE : before.deferred();
    if (deferred.length > 0) { // an event that shows the user's clock past quiet hours' end releases what waited
      Policy.Released released = policy.release(deferred, clock.now(realNow).toEpochMilli());
      sent.addAll(released.due());
      deferred = released.left();
    }
    List<Policy.Decided> decided = null;
    for (int i : consumers) {
      Family<?> family = families.get(i);
      try {
        Outcome<?> outcome = family.apply(states[i], event);
        log(family, userId, event, null, outcome);
        states[i] = outcome.state();
        for (Notification n : outcome.notifications()) {
          decided = decided == null ? new ArrayList<>(1) : decided;
          decided.add(new Policy.Decided(family.index, n));
        }
      } catch (RuntimeException e) {
        family.failed.increment();
        LOG.atError().addKeyValue("userId", userId).addKeyValue("eventId", event.id()).log("{}: user {}, event {} "
            + "({}): the rule failed, the user's state in this family is kept as it was", family.name(), userId,
            event.id(), event.type(), e);
      }
    }
    if (decided != null) {
      Policy.Admitted admitted = policy.admit(marks, deferred, timeZone == null ? defaults.timeZone() : timeZone,
          locale == null ? defaults.locale() : locale, event.occurredAt(), decided);
      record(userId, admitted);
      sent.addAll(admitted.sent());
      marks = admitted.marks();
      // a late event's notification deferred to a time the user's clock has passed already goes out now
      Policy.Released late = policy.release(admitted.deferred(), clock.now(realNow).toEpochMilli());
      sent.addAll(late.due());
      deferred = late.left();
    }
    if (policy.isTraining(event.type())) {
      // after this step's decisions: a reminder that fell due before this start is not judged by it
      marks = policy.trained(marks, event.occurredAt().toEpochMilli());
    }
    return new Step(kept(clock, states, recent, timeZone, locale, marks, deferred), Reply.ACCEPTED, sent);
  }

  /** Logs and counts what the policy did not simply send: each suppressed or deferred notification, with why. */
  private void record(String userId, Policy.Admitted admitted) {
    for (Policy.Decision d : admitted.decisions()) {
      Family<?> family = families.get(d.family());
      Notification n = d.notification();
      if (d.reason() != null) {
        family.suppressed[d.reason().ordinal()].increment();
        LOG.atInfo().addKeyValue("userId", userId).addKeyValue("notificationId", n.id())
            .addKeyValue("reason", d.reason().name()).log("{}: user {}: {} {} for {} not sent ({}): {}",
                family.name(), userId, n.kind(), n.id(), n.triggeredBy(), d.reason().words(), d.why());
      } else {
        family.deferred.increment();
        LOG.atInfo().addKeyValue("userId", userId).addKeyValue("notificationId", n.id())
            .log("{}: user {}: {} {} for {} {}", family.name(), userId, n.kind(), n.id(), n.triggeredBy(), d.why());
      }
    }
  }

  /**
   * Lets time pass for the families of the user that have something due at {@code realNow}, and forgets the ids
   * that left the duplicate window.
   */
  public Step wakeUp(String userId, UserState before, long realNow) {
    Instant now = before.clock().now(realNow);
    Object[] states = before.states().clone();
    Policy.Released released = policy.release(before.deferred(), now.toEpochMilli());
    List<Notification> sent = new ArrayList<>(released.due());
    List<Policy.Decided> decided = new ArrayList<>(1);
    for (Family<?> family : families) {
      Object state = states[family.index];
      try {
        Instant due = family.nextDue(state);
        if (due == null || due.isAfter(now)) {
          continue;
        }
        Outcome<?> outcome = family.tick(userId, state, now);
        log(family, userId, null, now, outcome);
        states[family.index] = outcome.state();
        outcome.notifications().forEach(n -> decided.add(new Policy.Decided(family.index, n)));
      } catch (RuntimeException e) {
        family.failed.increment();
        LOG.atError().addKeyValue("userId", userId).log("{}: user {}, clock {}: the rule failed, the user's state "
            + "in this family is kept as it was", family.name(), userId, now, e);
      }
    }
    long[] marks = policy.forget(before.marks(), now.toEpochMilli());
    Deferred[] deferred = released.left();
    if (!decided.isEmpty()) {
      Policy.Admitted admitted = policy.admit(marks, deferred, defaults.timeZoneOf(before), defaults.localeOf(before),
          now, decided);
      record(userId, admitted);
      sent.addAll(admitted.sent());
      marks = admitted.marks();
      deferred = admitted.deferred();
    }
    return new Step(kept(before.clock(), states, recentEvents.forget(before.recent(), realNow), before.timeZone(),
        before.locale(), marks, deferred), null, sent);
  }

  /** The user as kept, or null when nothing is left to keep. */
  private static UserState kept(UserClock clock, Object[] states, long[] recent, String timeZone, String locale,
      long[] marks, Deferred[] deferred) {
    if (recent.length > 0 || marks.length > 0 || deferred.length > 0) {
      return new UserState(clock, states, recent, timeZone, locale, marks, deferred);
    }
    for (Object state : states) {
      if (state != null) {
        return new UserState(clock, states, recent, timeZone, locale, marks, deferred);
      }
    }
    return null;
  }

  /**
   * The server time at which the user has something due next (a family's due time, or the oldest id leaving the
   * duplicate window), or {@link DueTimer#NEVER}.
   *
   * @param afterWakeUp a family still due after its wake-up would wake the user again at once, forever: such a due
   *                    time (a failed tick, a rule that does not clear what it fired) is left for the next event
   */
  public long wakeAt(String userId, UserState state, long realNow, boolean afterWakeUp) {
    if (state == null) {
      return DueTimer.NEVER;
    }
    Instant now = state.clock().now(realNow);
    long wakeAt = recentEvents.forgetAt(state.recent(), realNow);
    if (state.deferred().length > 0) {
      wakeAt = Math.min(wakeAt, state.clock().realTimeOf(Instant.ofEpochMilli(Policy.nextRelease(state.deferred()))));
    }
    if (state.marks().length > 0) {
      wakeAt = Math.min(wakeAt, state.clock().realTimeOf(Instant.ofEpochMilli(policy.forgetAt(state.marks()))));
    }
    for (Family<?> family : families) {
      Instant due;
      try {
        due = family.nextDue(state.states()[family.index]);
      } catch (RuntimeException e) {
        family.failed.increment();
        LOG.error("{}: user {}: the rule's next due time failed; nothing is scheduled for this family",
            family.name(), userId, e);
        continue;
      }
      if (due != null && !(afterWakeUp && !due.isAfter(now))) {
        wakeAt = Math.min(wakeAt, state.clock().realTimeOf(due));
      }
    }
    return wakeAt;
  }

  /**
   * Counts the users again, from all those this node holds (a cluster node, after partitions moved: the users it
   * owns are not those it counted step by step).
   */
  public void recount(Iterable<UserState> users) {
    int[] counts = new int[families.size()];
    int[] held = new int[families.size()];
    for (UserState user : users) {
      for (Family<?> family : families) {
        counts[family.index] += user != null && user.states()[family.index] != null ? 1 : 0;
      }
      for (Deferred d : user == null ? Deferred.NONE : user.deferred()) {
        if (d.family() >= 0) {
          held[d.family()]++;
        }
      }
    }
    for (Family<?> family : families) {
      family.users.set(counts[family.index]);
      family.held.set(held[family.index]);
    }
  }

  private void held(Deferred d, int delta) {
    if (d.family() >= 0) {
      families.get(d.family()).held.addAndGet(delta);
    }
  }

  /** Counts the user in the families it has state in now and did not before, and the reverse. */
  public void count(UserState before, UserState after) {
    for (Deferred d : before == null ? Deferred.NONE : before.deferred()) {
      held(d, -1);
    }
    for (Deferred d : after == null ? Deferred.NONE : after.deferred()) {
      held(d, 1);
    }
    for (Family<?> family : families) {
      boolean was = before != null && before.states()[family.index] != null;
      boolean is = after != null && after.states()[family.index] != null;
      if (was != is) {
        family.users.addAndGet(is ? 1 : -1);
      }
    }
  }

  /**
   * Logs the decision, at INFO when notable, caused by the event or, when it is null, by the clock at {@code now};
   * the user, the event and the notifications decided are fields of their own in JSON logs. Nothing is built when
   * the level is off: this runs for every event.
   */
  private static void log(Family<?> family, String userId, Event event, Instant now, Outcome<?> outcome) {
    LoggingEventBuilder line = outcome.notable() ? LOG.atInfo() : LOG.atDebug();
    if (line instanceof NOPLoggingEventBuilder) {
      return;
    }
    line = line.addKeyValue("userId", userId);
    if (event != null) {
      line = line.addKeyValue("eventId", event.id());
    }
    if (!outcome.notifications().isEmpty()) {
      line = line.addKeyValue("notificationId",
          String.join(",", outcome.notifications().stream().map(Notification::id).toList()));
    }
    String cause = event != null ? "event " + event.id() + " (" + event.type() + ")" : "clock " + now;
    line.log("{}: user {}, {}: {}", family.name(), userId, cause, outcome.decision());
  }

  // A user's state in records (snapshots, the cluster's map): its clock, its recent ids, then each family's state by
  // the family's name, as its codec encodes it.

  /** The flag on the count of recent ids that says each is one long; without it they are (hash, appliedAt) pairs. */
  private static final int PACKED_IDS = 0x4000;

  public void write(ByteBuf out, UserState state) {
    out.writeLong(state.clockEventMillis()).writeLong(state.clockRealMillis());
    out.writeShort(PACKED_IDS | state.recent().length); // one long an id (see RecentEvents)
    for (long value : state.recent()) {
      out.writeLong(value);
    }
    Bytes.writeString(out, state.timeZone());
    Bytes.writeString(out, state.locale());
    int count = 0;
    for (Object familyState : state.states()) {
      count += familyState == null ? 0 : 1;
    }
    out.writeByte(count);
    for (Family<?> family : families) {
      Object familyState = state.states()[family.index];
      if (familyState != null) {
        Bytes.writeString(out, family.key);
        Bytes.writeString(out, family.encode(familyState).encode());
      }
    }
    // Last, so that a state saved before marks existed reads as one without them. Marks and deferred notifications
    // name their family by key, as states do (the rules' order may change between a save and a load); a mark by the
    // key's hash, 4 bytes rather than the key's 20 (this runs for every event in a cluster).
    out.writeShort(state.marks().length);
    for (long mark : state.marks()) {
      out.writeLong(Marks.at(mark));
      out.writeInt(Marks.tag(mark) == Marks.TRAINED ? 0 : keyHash(keyOf(Marks.tag(mark))));
    }
    out.writeShort(state.deferred().length);
    for (Deferred d : state.deferred()) {
      out.writeLong(d.releaseAt());
      Bytes.writeString(out, keyOf(d.family()));
      Bytes.writeString(out, d.notification().toJson().encode());
    }
  }

  /**
   * Reads what {@link #write} wrote. A family's state saved by rules that no longer have that family, or have it with
   * another layout, is dropped and counted in {@code dropped}, by the family's name.
   *
   * @return the state, or null when nothing of it is left
   */
  public UserState read(ByteBuf in, Map<String, Integer> dropped) {
    UserClock clock = new UserClock(in.readLong(), in.readLong());
    int ids = in.readShort();
    long[] recent = new long[ids & ~PACKED_IDS];
    for (int i = 0; i < recent.length; i++) {
      recent[i] = in.readLong();
    }
    if ((ids & PACKED_IDS) == 0) {
      recent = RecentEvents.fromPairs(recent); // saved when an id took two longs
    }
    String timeZone = Bytes.readString(in);
    String locale = Bytes.readString(in);
    timeZone = Zones.known(timeZone);
    locale = Zones.known(locale);
    int count = in.readByte();
    Object[] states = new Object[families.size()];
    for (int i = 0; i < count; i++) {
      String key = Bytes.readString(in);
      String state = Bytes.readString(in);
      Family<?> family = byKey(key);
      if (family == null) {
        dropped.merge(key.substring(0, Math.max(0, key.lastIndexOf('@'))), 1, Integer::sum);
      } else {
        states[family.index] = family.codec.decode(new JsonObject(state));
      }
    }
    long[] marks = Marks.NONE;
    Deferred[] deferred = Deferred.NONE;
    if (in.isReadable()) {
      long[] read = new long[in.readShort()];
      int kept = 0;
      for (int i = 0; i < read.length; i++) {
        long at = in.readLong();
        int key = in.readInt();
        Family<?> family = key == 0 ? null : byKeyHash(key);
        if (key == 0 || family != null) { // a removed rule's marks count for nothing
          read[kept++] = Marks.of(family == null ? Marks.TRAINED : family.index, at);
        }
      }
      marks = kept == 0 ? Marks.NONE : Arrays.copyOf(read, kept);
      List<Deferred> held = new ArrayList<>(0);
      for (int i = in.readShort(); i > 0; i--) {
        long releaseAt = in.readLong();
        String key = Bytes.readString(in);
        Family<?> family = key == null ? null : byKey(key);
        Notification notification = Notification.fromJson(new JsonObject(Bytes.readString(in)));
        // a deferred notification was decided: it goes out even if its rule is gone, as a queued one would
        held.add(new Deferred(releaseAt, family == null ? -1 : family.index, notification));
      }
      deferred = held.isEmpty() ? Deferred.NONE : held.toArray(Deferred[]::new);
    }
    return kept(clock, states, recent.length == 0 ? RecentEvents.NONE : recent, timeZone, locale, marks, deferred);
  }

  /** The key of the family at the index; null for none (a deferred notification whose rule was removed). */
  private String keyOf(int index) {
    return index < 0 || index >= families.size() ? null : families.get(index).key;
  }

  /** A family's key as a mark names it: never 0, which names the training mark. */
  private static int keyHash(String key) {
    int hash = key.hashCode();
    return hash == 0 ? 1 : hash;
  }

  private Family<?> byKeyHash(int hash) {
    for (Family<?> family : families) {
      if (keyHash(family.key) == hash) {
        return family;
      }
    }
    return null;
  }

  private Family<?> byKey(String key) {
    for (Family<?> family : families) {
      if (family.key.equals(key)) {
        return family;
      }
    }
    return null;
  }

  /** Says which saved families' states were dropped, for how many users. */
  public static void logDropped(Map<String, Integer> dropped) {
    dropped.forEach((name, count) -> LOG.warn("saved state of {} user(s) in rule family '{}' dropped: no such family "
        + "is registered, or its layout (shape, types, fields) changed", count, name));
  }

  // A reload of the rules: the users' running states move to the new rule set by family name and layout.

  /**
   * Where each of {@code before}'s families goes in these rules: the index of the family with the same name and
   * layout, or -1 when there is none (the family was removed, or its shape, types or fields changed).
   */
  public int[] migrationFrom(RuleSet before) {
    int[] to = new int[before.families.size()];
    for (Family<?> old : before.families) {
      Family<?> now = byKey(old.key);
      to[old.index] = now == null ? -1 : now.index;
    }
    return to;
  }

  /** Whether {@code to} (see {@link #migrationFrom}) keeps every family of {@code before} in its place, and adds none. */
  public boolean sameFamiliesAs(RuleSet before, int[] to) {
    if (to.length != families.size()) {
      return false;
    }
    for (int i = 0; i < to.length; i++) {
      if (to[i] != i) {
        return false;
      }
    }
    return true;
  }

  /** Takes over the users counted by {@code before}'s families, which are these in the same places. */
  public void countAs(RuleSet before) {
    for (Family<?> family : families) {
      family.users.set(before.families.get(family.index).users.get());
      family.held.set(before.families.get(family.index).held.get());
    }
  }

  /**
   * A user's state under {@code before}, moved to these rules as {@code to} says (see {@link #migrationFrom}); the
   * states of families with nowhere to go are dropped and counted in {@code dropped}, by the family's name.
   *
   * @return the state, or null when nothing of it is left
   */
  public UserState migrate(UserState state, RuleSet before, int[] to, Map<String, Integer> dropped) {
    Object[] states = new Object[families.size()];
    for (int i = 0; i < to.length; i++) {
      Object old = state.states()[i];
      if (old == null) {
        continue;
      }
      if (to[i] < 0) {
        dropped.merge(before.families.get(i).name(), 1, Integer::sum);
      } else {
        states[to[i]] = old;
      }
    }
    long[] marks = Marks.moved(state.marks(), to);
    Deferred[] deferred = state.deferred().length == 0 ? Deferred.NONE : java.util.Arrays.stream(state.deferred())
        .map(d -> new Deferred(d.releaseAt(), d.family() < 0 ? -1 : to[d.family()], d.notification()))
        .toArray(Deferred[]::new);
    return kept(state.clock(), states, state.recent(), state.timeZone(), state.locale(), marks, deferred);
  }
}
