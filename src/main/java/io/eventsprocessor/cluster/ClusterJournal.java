package io.eventsprocessor.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.PartitionContainer;
import com.hazelcast.map.impl.recordstore.RecordStore;
import com.hazelcast.spi.impl.NodeEngineImpl;
import io.eventsprocessor.state.Bytes;
import io.eventsprocessor.state.DirectJournal;
import io.eventsprocessor.state.Journal;
import io.eventsprocessor.state.Snapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * This node's copy, on its disk, of the users' entries it holds: those it owns and those it backs up. Every entry a
 * step stores, on the owner and on the backup, is appended here and made durable ({@code state.sync}: written to
 * the operating system, or synced to the disk) before the step returns, so before the {@code 2xx}: once every
 * node is killed, each user's newest entry is on the disks of both nodes that held it. On a start, the nodes put
 * back into the cluster's map what their journals hold, each user's newest version winning (see {@link
 * UserProcessors.RestoreUsers}).
 *
 * <p>A snapshot of what the node holds now (read from Hazelcast's record stores, owned and backup entries alike)
 * replaces the journal's older segments, one generation late: the snapshot at a rotation covers the segments before
 * the previous rotation, so that an entry whose step was journaled just before a rotation, and stored in the map
 * just after the snapshot read it, is still in a segment kept. Entries of partitions that moved to other nodes are
 * in no snapshot after the move; the nodes they moved to take a snapshot once the move is done.
 */
public final class ClusterJournal implements AutoCloseable {
  /** The journal's directory, under the state directory. */
  static final String DIR = "cluster";
  private static final String KEY = "events-processor.journal";
  private static final byte ENTRY = 1;

  /** A user's entry as the journal last had it: {@code entry} null when the entry was removed. */
  record Saved(long version, ClusterUser entry) {}

  private final Path dir;
  private final DirectJournal journal;
  /** Where the previous snapshot's rotation started a segment: the next snapshot covers what precedes it. */
  private long previousRotation;
  /** What the journal held when the node started, until it is put back into the map. */
  private Map<String, Saved> saved;

  /** Whether an entry is durable only once synced ({@code state.sync: fsync}), or once written. */
  private final boolean syncs;

  private ClusterJournal(Path dir, Journal.Sync sync, Map<String, Saved> saved, long nextSeq) throws IOException {
    this.dir = dir;
    this.saved = saved;
    // The first snapshot deletes nothing: what this node's journal held at the start stays on its disk until the
    // second, while the entries it put back into the map reach the disks of the nodes that hold them.
    this.previousRotation = 1;
    this.journal = DirectJournal.open(dir, sync, nextSeq);
    this.syncs = sync == Journal.Sync.fsync;
  }

  /** Reads what the node's journal holds (each user's newest entry), then appends from there on; blocking. */
  public static ClusterJournal open(Path stateDir, Journal.Sync sync) throws IOException {
    Path dir = stateDir.resolve(DIR);
    Files.createDirectories(dir);
    Map<String, Saved> saved = new HashMap<>();
    Journal.Reader reader = (seq, type, record) -> {
      if (type != ENTRY) {
        throw Snapshot.unreadable(dir, "it holds a record of an unknown type " + type);
      }
      String userId = Bytes.readString(record);
      long version = record.readLong();
      ClusterUser entry = record.readBoolean() ? ClusterUser.read(record, new ClusterUser()) : null;
      Saved before = saved.get(userId);
      if (before == null || before.version() < version) {
        saved.put(userId, new Saved(version, entry));
      }
    };
    long position = Snapshot.read(dir, reader);
    long last = Journal.replay(dir, position, reader);
    // Numbered from 1: a snapshot's position (what it covers) is then never negative, which reads as damaged.
    return new ClusterJournal(dir, sync, saved, Math.max(1, last + 1));
  }

  /** This member's journal, from now on (see {@link ClusterRules} for why through the member). */
  public void attach(HazelcastInstance member) {
    member.getUserContext().put(KEY, this);
  }

  public void detach(HazelcastInstance member) {
    member.getUserContext().remove(KEY, this);
  }

  /** The member's journal; null before its service opened one. */
  static ClusterJournal of(HazelcastInstance member) {
    return member == null ? null : (ClusterJournal) member.getUserContext().get(KEY);
  }

  /** What the journal held at the start, handed over once (null afterwards). */
  public synchronized Map<String, Saved> takeSaved() {
    Map<String, Saved> taken = saved;
    saved = null;
    return taken == null ? Map.of() : taken;
  }

  /** Entries that could not be put back yet, for the next attempt. */
  synchronized void putBack(Map<String, Saved> entries) {
    saved = saved == null ? new HashMap<>(entries) : saved;
    saved.putAll(entries);
  }

  /**
   * Appends a user's new entry (null: removed); called by the steps, on the partition's thread, which writes it
   * itself and does not wait for a sync: the events a step applied are answered only after {@link #sync} on every
   * member (see {@link JournalSync}), so a partition thread never holds its partition for a disk. (An entry put back
   * at a start is not synced for its own sake: the journal it came from keeps it until the next snapshot but one.)
   *
   * @throws UncheckedIOException when it cannot be written: the step fails, nothing of it is kept
   */
  void record(String userId, ClusterUser entry, long version) {
    ByteBuf record = Unpooled.buffer(entry == null ? 64 : 512);
    Bytes.writeString(record, userId);
    record.writeLong(version).writeBoolean(entry != null);
    if (entry != null) {
      entry.write(record);
    }
    try {
      journal.append(ENTRY, record, false);
    } catch (IOException e) {
      throw new UncheckedIOException("this node's journal cannot be written: " + e.getMessage(), e);
    }
  }

  /** Whether {@link #sync} has anything to do: {@code state.sync} is {@code fsync}. */
  public boolean syncs() {
    return syncs;
  }

  /** Returns once every entry written so far is durable (as {@code state.sync} says); any thread. */
  public void sync() {
    try {
      journal.syncWritten();
    } catch (IOException e) {
      throw new UncheckedIOException("this node's journal cannot be synced: " + e.getMessage(), e);
    }
  }

  /** Bytes of the journal's segments on disk, which the next start reads. */
  public long bytesOnDisk() {
    return journal.bytesOnDisk();
  }

  /**
   * Saves what the node holds now and deletes the segments the snapshot covers; a journal that broke starts afresh
   * (what it could not write failed its step). Blocking; one at a time.
   *
   * @return the entries saved
   */
  public synchronized long snapshot(HazelcastInstance member) throws IOException {
    long rotated = journal.rotate();
    long[] entries = {0};
    try (Snapshot.Writer writer = Snapshot.write(dir)) {
      ByteBuf record = Unpooled.buffer(512);
      forEachHeld(member, (userId, entry) -> {
        record.clear();
        Bytes.writeString(record, userId);
        record.writeLong(entry.version()).writeBoolean(true);
        entry.write(record);
        writer.record(ENTRY, record);
        entries[0]++;
      });
      writer.commit(previousRotation - 1);
    }
    journal.deleteSegmentsBefore(previousRotation);
    previousRotation = rotated;
    return entries[0];
  }

  /**
   * Every entry this member holds, owned or backed up, as Hazelcast's record stores have it now (no public API
   * reads backups). Read from another thread than the partitions': the stores are concurrent maps, their values
   * immutable objects (the map keeps objects).
   */
  private static void forEachHeld(HazelcastInstance member, java.util.function.BiConsumer<String, ClusterUser> each) {
    HazelcastInstanceImpl instance = member instanceof HazelcastInstanceProxy proxy ? proxy.getOriginal()
        : (HazelcastInstanceImpl) member;
    NodeEngineImpl engine = instance.node.getNodeEngine();
    SerializationService serialization = engine.getSerializationService();
    MapService maps = engine.getService(MapService.SERVICE_NAME);
    for (PartitionContainer partition : maps.getMapServiceContext().getPartitionContainers()) {
      RecordStore<?> store = partition.getExistingRecordStore(ClusterSetup.USERS);
      if (store != null) {
        store.forEach((key, record) -> {
          Object value = record.getValue();
          ClusterUser entry = value instanceof ClusterUser user ? user : serialization.toObject(value);
          each.accept(serialization.toObject(key), entry);
        }, false);
      }
    }
  }

  @Override
  public void close() {
    journal.close();
  }
}
