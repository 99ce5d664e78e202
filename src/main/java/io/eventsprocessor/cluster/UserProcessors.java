package io.eventsprocessor.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.ingest.RateLimiter;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.EventRecords;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RuleSet.Step;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the nodes do to a user's entry, each run by Hazelcast on the node that owns the user, on the partition's
 * thread: one user's changes are applied one at a time, in order. Each takes the rules' "now" as an argument; the
 * owner computes the new entry (and its version, from its wall clock: see {@link ClusterUser}) and its backup takes
 * that result as it is ({@link SetUsers}), so the rules run once per step and the copies cannot disagree. Owner and
 * backup each journal the new entry before the step returns (see {@link ClusterJournal}). If the owner dies before its caller has the answer,
 * Hazelcast runs the step again on the new owner: an event already applied is then recognised by its id (the
 * rules' own duplicate memory, in the entry), a wake-up finds nothing due, a delivered notification is already gone.
 * The rules' steps are the single node's ({@link RuleSet}), reached through the member that runs them (see {@link
 * ClusterRules}).
 */
public final class UserProcessors {

  private UserProcessors() {}

  /** What the owner stored for a user: the entry (null: removed) and its version. */
  record Stored(ClusterUser value, long version) {}

  /**
   * Sets on the backup the entries the owner computed, each user's its own: the rules' step is not run twice. Users
   * the owner left unchanged are not in it, and are left as they are.
   */
  public static final class SetUsers implements EntryProcessor<String, ClusterUser, Object>, DataSerializable,
      HazelcastInstanceAware {
    private Map<String, Stored> stored;
    private transient HazelcastInstance member;

    public SetUsers() {}

    SetUsers(Map<String, Stored> stored) {
      this.stored = stored;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
      this.member = member;
    }

    @Override
    public Object process(Map.Entry<String, ClusterUser> entry) {
      Stored s = stored.get(entry.getKey());
      if (s != null) {
        journal(member, entry.getKey(), s.value(), s.version());
        entry.setValue(s.value());
      }
      return null;
    }

    @Override
    public EntryProcessor<String, ClusterUser, Object> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(stored.size());
      for (Map.Entry<String, Stored> e : stored.entrySet()) {
        out.writeString(e.getKey());
        out.writeLong(e.getValue().version());
        out.writeObject(e.getValue().value());
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      int count = in.readInt();
      stored = new HashMap<>(count * 2);
      for (int i = 0; i < count; i++) {
        String userId = in.readString();
        long version = in.readLong();
        stored.put(userId, new Stored(in.readObject(), version));
      }
    }
  }

  /** The base of the changes: the owner's result goes to the backup as it is. */
  abstract static class Change<R> implements EntryProcessor<String, ClusterUser, R>, DataSerializable,
      HazelcastInstanceAware {
    /** What the owner stored, by user: one processor may change several users of a partition in one call. */
    private final transient Map<String, Stored> stored = new HashMap<>(2);
    private transient HazelcastInstance member;

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
      this.member = member;
    }

    /** The rules of the member this runs on. */
    RuleSet rules() {
      return ClusterRules.of(member);
    }

    /** The rate of each user the member this runs on owns. */
    RateLimiter userRates() {
      return ClusterRules.userRates(member);
    }

    /**
     * Stores the new entry on the owner, versioned after the old one, and remembers it for the backup. Null: the
     * user has nothing left to keep; its entry becomes a tombstone, or, when it is one already, is removed.
     */
    void set(Map.Entry<String, ClusterUser> entry, ClusterUser value) {
      ClusterUser old = entry.getValue();
      long now = System.currentTimeMillis();
      long version = ClusterUser.nextVersion(old, now);
      ClusterUser kept = value == null && old != null && !old.isEmpty()
          ? ClusterUser.tombstone(now + ClusterUser.TOMBSTONE_KEPT.toMillis()) : value;
      if (kept != null) {
        kept.version(version);
      }
      journal(member, entry.getKey(), kept, version);
      entry.setValue(kept);
      stored.put(entry.getKey(), new Stored(kept, version));
    }

    @Override
    @SuppressWarnings("unchecked")
    public EntryProcessor<String, ClusterUser, R> getBackupProcessor() {
      return (EntryProcessor<String, ClusterUser, R>) (EntryProcessor<String, ClusterUser, ?>) new SetUsers(
          Map.copyOf(stored));
    }
  }

  /** Appends the entry to the member's journal, if its service opened one yet (see {@link ClusterJournal}). */
  private static void journal(HazelcastInstance member, String userId, ClusterUser value, long version) {
    ClusterJournal journal = ClusterJournal.of(member);
    if (journal != null) {
      journal.record(userId, value, version);
    }
  }

  /**
   * Puts back the entries a node's journal held when the node started, for the users of one partition, each unless
   * the map holds a newer one (another node's journal had it, or the user has had events since): run for every
   * entry of every node's journal, in any order, it leaves each user's newest version. The answer, per user:
   * whether it was put. Sent with {@code submitToKeys}, one call per partition: its backup runs the same step on
   * the backup's copy (the same decision), but asynchronously, which is enough here: the cluster takes no event
   * before a quorum of nodes has put theirs back, and the journal an entry came from keeps it until its node's
   * second snapshot (see {@link ClusterJournal}).
   */
  public static final class RestoreUsers implements EntryProcessor<String, ClusterUser, Boolean>, DataSerializable,
      HazelcastInstanceAware {
    private Map<String, ClusterUser> saved;
    private transient HazelcastInstance member;

    public RestoreUsers() {}

    public RestoreUsers(Map<String, ClusterUser> saved) {
      this.saved = saved;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
      this.member = member;
    }

    @Override
    public Boolean process(Map.Entry<String, ClusterUser> entry) {
      ClusterUser put = saved.get(entry.getKey());
      ClusterUser now = entry.getValue();
      if (put == null || now != null && now.version() >= put.version()) {
        return false;
      }
      journal(member, entry.getKey(), put, put.version());
      entry.setValue(put);
      return true;
    }

    @Override
    public EntryProcessor<String, ClusterUser, Boolean> getBackupProcessor() {
      return this;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(saved.size());
      for (Map.Entry<String, ClusterUser> e : saved.entrySet()) {
        out.writeString(e.getKey());
        out.writeObject(e.getValue());
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      int count = in.readInt();
      saved = new java.util.HashMap<>(count * 2);
      for (int i = 0; i < count; i++) {
        saved.put(in.readString(), in.readObject());
      }
    }
  }

  /**
   * Applies users' events, each user's in order, in one call (the events that reached this node for the users of a
   * partition while its previous call there was under way): the answer has, for each user, the {@link Reply} of
   * each of its events, as {@link Reply#encode} writes them. Each user's entry is set once, so the backup takes one
   * copy for all of its events. The owner keeps the user's rate first, as an edge does on one node: from the first
   * event over it on, the user's events of the call are {@link Reply#LIMITED} and not applied, so that none of its
   * later events is kept before an earlier one.
   */
  public static final class ApplyEvents extends Change<byte[]> {
    private Map<String, byte[][]> records;

    public ApplyEvents() {}

    /**
     * @param events   the events, each user's in the order they came
     * @param realNow  the server time the events are applied at
     */
    public ApplyEvents(List<Event> events, long realNow) {
      Map<String, List<Event>> byUser = new LinkedHashMap<>();
      for (Event event : events) {
        byUser.computeIfAbsent(event.userId(), id -> new java.util.ArrayList<>(1)).add(event);
      }
      records = new HashMap<>(byUser.size() * 2);
      byUser.forEach((userId, own) -> {
        byte[][] encoded = new byte[own.size()][];
        for (int i = 0; i < encoded.length; i++) {
          encoded[i] = ByteBufUtil.getBytes(EventRecords.event(own.get(i), realNow));
        }
        records.put(userId, encoded);
      });
    }

    @Override
    public byte[] process(Map.Entry<String, ClusterUser> entry) {
      byte[][] own = records.get(entry.getKey());
      RuleSet rules = rules();
      RateLimiter rates = userRates();
      ClusterUser first = entry.getValue();
      ClusterUser user = first;
      Reply[] replies = new Reply[own.length];
      boolean limited = false;
      for (int i = 0; i < own.length; i++) {
        limited = limited || rates.tryTake(entry.getKey()) > 0;
        if (limited) {
          replies[i] = Reply.LIMITED;
          continue;
        }
        EventRecords.Applied applied = EventRecords.readEvent(Unpooled.wrappedBuffer(own[i]));
        long realNow = applied.realNow();
        ClusterUser before = user == null ? new ClusterUser() : user;
        Step step = rules.apply(before.state(rules), applied.event(), realNow);
        replies[i] = step.reply();
        if (step.reply() == Reply.ACCEPTED) {
          long wakeAt = rules.wakeAt(entry.getKey(), step.state(), realNow, false);
          user = before.after(rules, step.state(), step.notifications(), realNow, wakeAt);
        }
      }
      if (user != first) {
        rules.count(first == null ? null : first.state(rules), user == null ? null : user.state(rules));
        set(entry, user);
      }
      return Reply.encode(replies);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(records.size());
      for (Map.Entry<String, byte[][]> e : records.entrySet()) {
        out.writeString(e.getKey());
        out.writeInt(e.getValue().length);
        for (byte[] record : e.getValue()) {
          out.writeByteArray(record);
        }
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      int users = in.readInt();
      records = new HashMap<>(users * 2);
      for (int u = 0; u < users; u++) {
        String userId = in.readString();
        byte[][] own = new byte[in.readInt()][];
        for (int i = 0; i < own.length; i++) {
          own[i] = in.readByteArray();
        }
        records.put(userId, own);
      }
    }
  }

  /** Lets time pass for a user found due: its families' due things happen, old event ids are forgotten. */
  public static final class WakeUp extends Change<Object> {
    private long realNow;

    public WakeUp() {}

    public WakeUp(long realNow) {
      this.realNow = realNow;
    }

    @Override
    public Object process(Map.Entry<String, ClusterUser> entry) {
      ClusterUser user = entry.getValue();
      if (user == null || user.getWakeAt() > realNow) {
        return null; // done already (by an owner that died before answering), or no longer due
      }
      RuleSet rules = rules();
      RuleSet.UserState state = user.state(rules);
      Step step = state == null ? new Step(null, null, List.of()) : rules.wakeUp(entry.getKey(), state, realNow);
      long wakeAt = rules.wakeAt(entry.getKey(), step.state(), realNow, true);
      ClusterUser after = user.after(rules, step.state(), step.notifications(), realNow, wakeAt);
      rules.count(state, after == null ? null : after.state(rules));
      set(entry, after);
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(realNow);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      realNow = in.readLong();
    }
  }

  /** A notification left the user's entry: delivered, or a dead letter now (kept in the dead letters' map). */
  public static final class RemoveNotification extends Change<Object> {
    private String id;

    public RemoveNotification() {}

    public RemoveNotification(String id) {
      this.id = id;
    }

    @Override
    public Object process(Map.Entry<String, ClusterUser> entry) {
      if (entry.getValue() != null && !entry.getValue().isEmpty()) {
        set(entry, entry.getValue().without(id));
      }
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(id);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      id = in.readString();
    }
  }

  /** A dead letter an operator retries: back in the user's entry, for the owner to deliver. */
  public static final class AddNotification extends Change<Object> {
    private String notification;
    private long now;

    public AddNotification() {}

    public AddNotification(Notification notification, long now) {
      this.notification = notification.toJson().encode();
      this.now = now;
    }

    @Override
    public Object process(Map.Entry<String, ClusterUser> entry) {
      ClusterUser user = entry.getValue() == null ? new ClusterUser() : entry.getValue();
      set(entry, user.with(Notification.fromJson(new JsonObject(notification)), now));
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(notification);
      out.writeLong(now);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      notification = in.readString();
      now = in.readLong();
    }
  }
}
