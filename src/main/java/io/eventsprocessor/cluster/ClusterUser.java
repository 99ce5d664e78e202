package io.eventsprocessor.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.eventsprocessor.notify.Notification;
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
 * A user's entry in the cluster's map, kept by the node that owns the user and backed up on another: the user as
 * the rules keep it in both modes (its clock, its families' states and its recent event ids: see {@link
 * RuleSet.UserState}), and the notifications decided and not yet delivered. Immutable: an entry processor makes a
 * new one. {@code wakeAt} and {@code pendingSince} are indexed: each node asks its own entries which are due, and
 * which have notifications waiting.
 *
 * <p>Every entry has a version, greater than its previous entry's and than any older entry's (the owner's wall clock,
 * in thousandths of a millisecond, or one more than the previous version): after every node stopped, each user's
 * newest entry in the nodes' journals is the one taken (see {@link ClusterJournal}). A user left with nothing to
 * keep becomes a tombstone for {@link #TOMBSTONE_KEPT}, an empty entry due at its end, so that an older entry of the
 * user, still in a journal, cannot come back.
 */
public final class ClusterUser implements DataSerializable {
  public static final String WAKE_AT = "wakeAt";
  public static final String PENDING_SINCE = "pendingSince";
  /** How long the entry of a user left with nothing to keep stays as a tombstone before it is removed. */
  static final java.time.Duration TOMBSTONE_KEPT = java.time.Duration.ofHours(1);

  /** A notification decided and not yet delivered, as sent on the wire. */
  public record Pending(String notification, long decidedAt) {
    Notification decode() {
      return Notification.fromJson(new JsonObject(notification));
    }
  }

  /** The user as {@link RuleSet#write} wrote it; null when nothing of it is kept. */
  private byte[] state;
  /** The same, decoded, on the node that holds this object (entries are kept as objects). */
  private transient UserState decoded;
  /** When the rules have something due next (a family, or an id leaving the duplicate window). */
  private long wakeAt = DueTimer.NEVER;
  private long pendingSince = DueTimer.NEVER;
  private List<Pending> pending = List.of();
  /** Set once, by the step that stores the entry (see {@link UserProcessors}). */
  private long version;

  /** For Hazelcast. */
  public ClusterUser() {}

  /** An empty entry, kept until {@code removeAt} (see {@link #TOMBSTONE_KEPT}). */
  static ClusterUser tombstone(long removeAt) {
    ClusterUser tombstone = new ClusterUser();
    tombstone.wakeAt = removeAt;
    return tombstone;
  }

  /** The version after {@code previous} (null: none) at the wall clock's {@code nowMillis}. */
  static long nextVersion(ClusterUser previous, long nowMillis) {
    return Math.max(previous == null ? 1 : previous.version + 1, nowMillis * 1000);
  }

  /** When the version was set, by the owner's wall clock (milliseconds). */
  static long versionMillis(long version) {
    return version / 1000;
  }

  long version() {
    return version;
  }

  void version(long version) {
    this.version = version;
  }

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

  /**
   * The entry after a step of the rules.
   *
   * @param wakeAt when the rules have something due next
   * @return the new entry, or null when nothing is left to keep
   */
  ClusterUser after(RuleSet rules, UserState next, List<Notification> decided, long realNow, long wakeAt) {
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
    after.wakeAt = wakeAt;
    after.pendingSince = pendingSince(after.pending);
    return after.isEmpty() ? null : after;
  }

  /** The entry without the notification (delivered, or a dead letter now); null when nothing is left. */
  ClusterUser without(String notificationId) {
    ClusterUser after = copy();
    after.pending = pending.stream().filter(p -> !p.decode().id().equals(notificationId)).toList();
    after.pendingSince = pendingSince(after.pending);
    return after.isEmpty() ? null : after;
  }

  /** The entry with a notification to deliver again (a dead letter an operator retries). */
  ClusterUser with(Notification notification, long now) {
    ClusterUser after = copy();
    if (state == null) {
      after.wakeAt = DueTimer.NEVER; // a tombstone no longer
    }
    List<Pending> waiting = new ArrayList<>(pending);
    waiting.add(new Pending(notification.toJson().encode(), now));
    after.pending = List.copyOf(waiting);
    after.pendingSince = pendingSince(after.pending);
    return after;
  }

  private ClusterUser copy() {
    ClusterUser copy = new ClusterUser();
    copy.state = state;
    copy.decoded = decoded;
    copy.wakeAt = wakeAt;
    copy.pendingSince = pendingSince;
    copy.pending = pending;
    copy.version = version;
    return copy;
  }

  private static long pendingSince(List<Pending> pending) {
    return pending.stream().mapToLong(Pending::decidedAt).min().orElse(DueTimer.NEVER);
  }

  /** Nothing kept: a tombstone, or the entry a step leaves when the user has nothing left (then removed). */
  boolean isEmpty() {
    return state == null && pending.isEmpty();
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
    out.writeLong(version).writeInt(state == null ? -1 : state.length);
    if (state != null) {
      out.writeBytes(state);
    }
    out.writeLong(wakeAt).writeInt(pending.size());
    for (Pending p : pending) {
      Bytes.writeString(out, p.notification());
      out.writeLong(p.decidedAt());
    }
  }

  static ClusterUser read(ByteBuf in, ClusterUser into) {
    into.read(in);
    return into;
  }

  private void read(ByteBuf in) {
    version = in.readLong();
    int length = in.readInt();
    state = length < 0 ? null : ByteBufUtil.getBytes(in.readBytes(length));
    wakeAt = in.readLong();
    int count = in.readInt();
    List<Pending> read = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      read.add(new Pending(Bytes.readString(in), in.readLong()));
    }
    pending = List.copyOf(read);
    pendingSince = pendingSince(pending);
  }
}
