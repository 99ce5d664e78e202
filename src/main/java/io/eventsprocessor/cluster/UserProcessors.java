package io.eventsprocessor.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.DuplicateFilter;
import io.eventsprocessor.rules.EventRecords;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RuleSet.Step;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What the nodes do to a user's entry, each run by Hazelcast on the node that owns the user, on the partition's
 * thread: one user's changes are applied one at a time, in order. Each takes "now" as an argument, never reads a
 * clock; the owner computes the new entry and its backup takes that result as it is ({@link SetUser}), so the
 * rules run once per step and the copies cannot disagree. If the owner dies before its caller has the answer,
 * Hazelcast runs the step again on the new owner: an event already applied is then recognised by its id, a
 * wake-up finds nothing due, a delivered notification is already gone.
 */
public final class UserProcessors {
  public static final String ACCEPTED = "accepted";
  public static final String DUPLICATE = "duplicate";

  private UserProcessors() {}

  /** Sets on the backup the entry the owner computed: the rules' step is not run twice. */
  public static final class SetUser implements EntryProcessor<String, ClusterUser, String>, DataSerializable {
    private ClusterUser value;
    private boolean changed;

    public SetUser() {}

    SetUser(ClusterUser value, boolean changed) {
      this.value = value;
      this.changed = changed;
    }

    @Override
    public String process(Map.Entry<String, ClusterUser> entry) {
      if (changed) {
        entry.setValue(value);
      }
      return null;
    }

    @Override
    public EntryProcessor<String, ClusterUser, String> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(changed);
      out.writeObject(value);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      changed = in.readBoolean();
      value = in.readObject();
    }
  }

  /** The base of the changes: the owner's result goes to the backup as it is. */
  abstract static class Change implements EntryProcessor<String, ClusterUser, String>, DataSerializable {
    private transient ClusterUser result;
    private transient boolean changed;

    /** Stores the new entry (null removes it) on the owner, and remembers it for the backup. */
    void set(Map.Entry<String, ClusterUser> entry, ClusterUser value) {
      entry.setValue(value);
      result = value;
      changed = true;
    }

    @Override
    public EntryProcessor<String, ClusterUser, String> getBackupProcessor() {
      return new SetUser(result, changed);
    }
  }

  /**
   * Applies a user's events, in order, in one call (the events that reached this node for the user while its
   * previous call was under way): the answer has, for each, {@link #ACCEPTED} or {@link #DUPLICATE} when it was
   * applied already, comma-separated. The entry is set once, so the backup takes one copy for all of them.
   */
  public static final class ApplyEvents extends Change {
    private byte[][] records;

    public ApplyEvents() {}

    /** @param realNow the server time the events are applied at */
    public ApplyEvents(List<Event> events, long realNow) {
      this.records = new byte[events.size()][];
      for (int i = 0; i < records.length; i++) {
        records[i] = ByteBufUtil.getBytes(EventRecords.event(events.get(i), realNow));
      }
    }

    @Override
    public String process(Map.Entry<String, ClusterUser> entry) {
      long window = ClusterRules.duplicateWindow();
      RuleSet rules = ClusterRules.rules();
      ClusterUser user = entry.getValue();
      boolean changed = false;
      StringJoiner answers = new StringJoiner(",");
      for (byte[] record : records) {
        EventRecords.Applied applied = EventRecords.readEvent(Unpooled.wrappedBuffer(record));
        long realNow = applied.realNow();
        DuplicateFilter.Key key = DuplicateFilter.key(applied.event());
        if (user != null && user.applied(key, realNow, window)) {
          answers.add(DUPLICATE);
          continue;
        }
        ClusterUser before = user == null ? new ClusterUser() : user;
        Step step = rules.apply(before.state(rules), applied.event(), realNow);
        long wakeAt = rules.wakeAt(entry.getKey(), step.state(), realNow, false);
        user = before.after(rules, step.state(), step.notifications(), key, realNow, window, wakeAt);
        changed = true;
        answers.add(ACCEPTED);
      }
      if (changed) {
        set(entry, user);
      }
      return answers.toString();
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(records.length);
      for (byte[] record : records) {
        out.writeByteArray(record);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      records = new byte[in.readInt()][];
      for (int i = 0; i < records.length; i++) {
        records[i] = in.readByteArray();
      }
    }
  }

  /** Lets time pass for a user found due: its families' due things happen, old event ids are forgotten. */
  public static final class WakeUp extends Change {
    private long realNow;

    public WakeUp() {}

    public WakeUp(long realNow) {
      this.realNow = realNow;
    }

    @Override
    public String process(Map.Entry<String, ClusterUser> entry) {
      ClusterUser user = entry.getValue();
      if (user == null || user.getWakeAt() > realNow) {
        return null; // done already (by an owner that died before answering), or no longer due
      }
      RuleSet rules = ClusterRules.rules();
      RuleSet.UserState state = user.state(rules);
      Step step = state == null ? new Step(null, List.of()) : rules.wakeUp(entry.getKey(), state, realNow);
      long wakeAt = rules.wakeAt(entry.getKey(), step.state(), realNow, true);
      set(entry, user.after(rules, step.state(), step.notifications(), null, realNow,
          ClusterRules.duplicateWindow(), wakeAt));
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
  public static final class RemoveNotification extends Change {
    private String id;

    public RemoveNotification() {}

    public RemoveNotification(String id) {
      this.id = id;
    }

    @Override
    public String process(Map.Entry<String, ClusterUser> entry) {
      if (entry.getValue() != null) {
        set(entry, entry.getValue().without(id, ClusterRules.duplicateWindow()));
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
  public static final class AddNotification extends Change {
    private String notification;
    private long now;

    public AddNotification() {}

    public AddNotification(Notification notification, long now) {
      this.notification = notification.toJson().encode();
      this.now = now;
    }

    @Override
    public String process(Map.Entry<String, ClusterUser> entry) {
      ClusterUser user = entry.getValue() == null ? new ClusterUser() : entry.getValue();
      set(entry, user.with(Notification.fromJson(new JsonObject(notification)), now, ClusterRules.duplicateWindow()));
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
