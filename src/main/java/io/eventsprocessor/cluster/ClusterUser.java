package io.eventsprocessor.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.DuplicateFilter;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RuleSet.UserState;
import io.eventsprocessor.state.Bytes;
import io.eventsprocessor.time.DueTimer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * A user's entry in the cluster's map, kept by the node that owns the user and backed up on another: the rules'
 * state, the notifications decided and not yet delivered, and the ids of the events applied lately (so that a
 * resend, on any node, is a duplicate). Immutable: an entry processor makes a new one. {@code wakeAt} and
 * {@code pendingSince} are indexed: each node asks its own entries which are due, and which have notifications
 * waiting.
 */
public final class ClusterUser implements DataSerializable {
  public static final String WAKE_AT = "wakeAt";
  public static final String PENDING_SINCE = "pendingSince";
  /** Events remembered per user to recognise resends, at most (the oldest are forgotten first). */
  public static final int MAX_RECENT = 32;

  /** A notification decided and not yet delivered, as sent on the wire. */
  public record Pending(String notification, long decidedAt) {
    Notification decode() {
      return Notification.fromJson(new JsonObject(notification));
    }
  }

  /** The rules' state as {@link RuleSet#write} wrote it; null when nothing is pending in any family. */
  private byte[] state;
  /** The same, decoded, on the node that holds this object (entries are kept as objects). */
  private transient UserState decoded;
  private long wakeAt = DueTimer.NEVER;
  /** When the rules have something due next, kept apart from the forgetting of old event ids. */
  private long rulesWakeAt = DueTimer.NEVER;
  private long pendingSince = DueTimer.NEVER;
  private List<Pending> pending = List.of();
  /** (high, low, appliedAt) of the events applied lately, oldest first. */
  private long[] recent = new long[0];

  /** For Hazelcast. */
  public ClusterUser() {}

  public long getWakeAt() {
    return wakeAt;
  }

  public long getPendingSince() {
    return pendingSince;
  }

  public List<Pending> pending() {
    return pending;
  }

  UserState state(RuleSet rules) {
    if (decoded == null && state != null) {
      HashMap<String, Integer> dropped = new HashMap<>();
      decoded = rules.read(Unpooled.wrappedBuffer(state), dropped);
      RuleSet.logDropped(dropped);
    }
    return decoded;
  }

  /** Whether the event was applied within {@code window} before {@code realNow}. */
  boolean applied(DuplicateFilter.Key key, long realNow, long window) {
    for (int i = 0; i < recent.length; i += 3) {
      if (recent[i] == key.high() && recent[i + 1] == key.low() && recent[i + 2] > realNow - window) {
        return true;
      }
    }
    return false;
  }

  /**
   * The entry after a step of the rules.
   *
   * @param applied the event applied, to be recognised if resent; null for a wake-up
   * @param wakeAt  when the rules have something due next
   * @return the new entry, or null when nothing is left to keep
   */
  ClusterUser after(RuleSet rules, UserState next, List<Notification> decided, DuplicateFilter.Key applied,
      long realNow, long window, long wakeAt) {
    ClusterUser after = new ClusterUser();
    after.decoded = next;
    if (next != null) {
      ByteBuf bytes = Unpooled.buffer(256);
      rules.write(bytes, next);
      after.state = ByteBufUtil.getBytes(bytes);
    }
    List<Pending> waiting = new ArrayList<>(pending);
    decided.forEach(n -> waiting.add(new Pending(n.toJson().encode(), realNow)));
    after.pending = List.copyOf(waiting);
    after.recent = remember(recent, applied, realNow, window);
    after.recompute(wakeAt, window);
    return after.isEmpty() ? null : after;
  }

  /** The entry without the notification (delivered, or a dead letter now); null when nothing is left. */
  ClusterUser without(String notificationId, long window) {
    ClusterUser after = copy();
    after.pending = pending.stream().filter(p -> !p.decode().id().equals(notificationId)).toList();
    after.recompute(wakeAtOfRules(), window);
    return after.isEmpty() ? null : after;
  }

  /** The entry with a notification to deliver again (a dead letter an operator retries). */
  ClusterUser with(Notification notification, long now, long window) {
    ClusterUser after = copy();
    List<Pending> waiting = new ArrayList<>(pending);
    waiting.add(new Pending(notification.toJson().encode(), now));
    after.pending = List.copyOf(waiting);
    after.recompute(wakeAtOfRules(), window);
    return after;
  }

  private ClusterUser copy() {
    ClusterUser copy = new ClusterUser();
    copy.state = state;
    copy.decoded = decoded;
    copy.wakeAt = wakeAt;
    copy.pendingSince = pendingSince;
    copy.pending = pending;
    copy.recent = recent;
    copy.rulesWakeAt = rulesWakeAt;
    return copy;
  }

  private long wakeAtOfRules() {
    return rulesWakeAt;
  }

  /** The wake-up is the rules' next due time, or the time the oldest remembered event id may be forgotten. */
  private void recompute(long rulesWakeAt, long window) {
    this.rulesWakeAt = rulesWakeAt;
    long forget = recent.length == 0 ? DueTimer.NEVER : recent[2] + window;
    this.wakeAt = Math.min(rulesWakeAt, forget);
    this.pendingSince = pending.stream().mapToLong(Pending::decidedAt).min().orElse(DueTimer.NEVER);
  }

  private static long[] remember(long[] recent, DuplicateFilter.Key applied, long realNow, long window) {
    List<Long> kept = new ArrayList<>();
    for (int i = 0; i < recent.length; i += 3) {
      if (recent[i + 2] > realNow - window) {
        kept.add(recent[i]);
        kept.add(recent[i + 1]);
        kept.add(recent[i + 2]);
      }
    }
    if (applied != null) {
      kept.add(applied.high());
      kept.add(applied.low());
      kept.add(realNow);
    }
    int from = Math.max(0, kept.size() - 3 * MAX_RECENT);
    return kept.subList(from, kept.size()).stream().mapToLong(Long::longValue).toArray();
  }

  boolean isEmpty() {
    return state == null && pending.isEmpty() && recent.length == 0;
  }

  // Copies to backups and migrations (Hazelcast's serialization) and the last node's snapshot write the same bytes.

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    ByteBuf bytes = Unpooled.buffer(256);
    write(bytes);
    out.writeByteArray(ByteBufUtil.getBytes(bytes));
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    read(Unpooled.wrappedBuffer(in.readByteArray()));
  }

  void write(ByteBuf out) {
    out.writeInt(state == null ? -1 : state.length);
    if (state != null) {
      out.writeBytes(state);
    }
    out.writeLong(wakeAt).writeLong(rulesWakeAt).writeInt(pending.size());
    for (Pending p : pending) {
      Bytes.writeString(out, p.notification());
      out.writeLong(p.decidedAt());
    }
    out.writeInt(recent.length);
    for (long value : recent) {
      out.writeLong(value);
    }
  }

  static ClusterUser read(ByteBuf in, ClusterUser into) {
    into.read(in);
    return into;
  }

  private void read(ByteBuf in) {
    int length = in.readInt();
    state = length < 0 ? null : ByteBufUtil.getBytes(in.readBytes(length));
    wakeAt = in.readLong();
    rulesWakeAt = in.readLong();
    int count = in.readInt();
    List<Pending> read = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      read.add(new Pending(Bytes.readString(in), in.readLong()));
    }
    pending = List.copyOf(read);
    recent = new long[in.readInt()];
    for (int i = 0; i < recent.length; i++) {
      recent[i] = in.readLong();
    }
    pendingSince = pending.stream().mapToLong(Pending::decidedAt).min().orElse(DueTimer.NEVER);
  }
}
