package io.eventsprocessor.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.eventsprocessor.state.Bytes;
import io.eventsprocessor.state.Snapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's dead letters across a stop of every node (the users' entries are in every node's journal: see
 * {@link ClusterJournal}). A node that stops hands its partitions over to the others; the last one out holds them
 * all, and saves the dead letters in its state directory. When nodes start again, the one that finds such a file
 * loads it into the cluster's map, then keeps the file aside ({@code .loaded}) so that it is never loaded twice.
 */
public final class ClusterState {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);
  static final String FILE = "cluster-dead-letters.dat";
  private static final byte DEAD_LETTER = 2;

  private ClusterState() {}

  /**
   * Saves every dead letter when this node holds them all (it owns every partition: the others that stopped handed
   * theirs over, whether or not its list of members has caught up with their leaving); blocking.
   *
   * @return the dead letters saved, or -1 when other members hold part of the state (they take this node's over)
   */
  public static long saveIfLast(HazelcastInstance hazelcast, Path dir) {
    boolean holdsAll = hazelcast.getPartitionService().getPartitions().stream()
        .allMatch(p -> p.getOwner() != null && p.getOwner().localMember());
    if (!holdsAll) {
      return -1;
    }
    IMap<String, String> deadLetters = hazelcast.getMap(ClusterSetup.DEAD_LETTERS);
    long[] saved = {0};
    try (Snapshot.Writer writer = Snapshot.writeFile(dir.resolve(FILE))) {
      ByteBuf record = Unpooled.buffer(512);
      deadLetters.forEach((id, json) -> {
        record.clear();
        Bytes.writeString(record, id);
        Bytes.writeString(record, json);
        writer.record(DEAD_LETTER, record);
        saved[0]++;
      });
      writer.commit(0);
    }
    LOG.info("last node of the cluster: {} dead letter(s) saved in {}", saved[0], dir.resolve(FILE));
    return saved[0];
  }

  /**
   * Loads the dead letters the last node of a previous run saved; blocking.
   *
   * @return the dead letters loaded, or -1 when there was nothing to load
   */
  public static long load(HazelcastInstance hazelcast, Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return -1;
    }
    IMap<String, String> deadLetters = hazelcast.getMap(ClusterSetup.DEAD_LETTERS);
    long[] loaded = {0};
    Snapshot.readFile(file, (seq, type, record) -> {
      if (type != DEAD_LETTER) {
        throw Snapshot.unreadable(file, "it holds a record of an unknown type " + type);
      }
      deadLetters.putIfAbsent(Bytes.readString(record), Bytes.readString(record));
      loaded[0]++;
    });
    try {
      Files.move(file, file.resolveSibling(FILE + ".loaded"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("could not keep " + file + " aside once loaded: " + e, e);
    }
    LOG.info("dead letters saved by the last node of the previous run loaded from {}: {}", file, loaded[0]);
    return loaded[0];
  }
}
