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
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's state across a stop of every node. A node that stops hands its users over to the others (its
 * partitions migrate); the last one out holds them all, and saves them, with the dead letters, in its state
 * directory. When nodes start again, the one that finds such a file loads it into the cluster's maps, for the
 * users the maps do not hold yet, then keeps the file aside ({@code .loaded}) so that it is never loaded twice.
 */
public final class ClusterState {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);
  static final String FILE = "cluster-snapshot.dat";
  private static final byte USER = 1;
  private static final byte DEAD_LETTER = 2;
  private static final int BATCH = 1000;

  private ClusterState() {}

  /**
   * Saves every user and dead letter when this node holds them all (it owns every partition: the others that
   * stopped handed theirs over, whether or not its list of members has caught up with their leaving); blocking.
   *
   * @return the users saved, or -1 when other members hold part of the state (they take this node's users over)
   */
  public static long saveIfLast(HazelcastInstance hazelcast, Path dir) {
    boolean holdsAll = hazelcast.getPartitionService().getPartitions().stream()
        .allMatch(p -> p.getOwner() != null && p.getOwner().localMember());
    if (!holdsAll) {
      return -1;
    }
    IMap<String, ClusterUser> users = hazelcast.getMap(ClusterSetup.USERS);
    IMap<String, String> deadLetters = hazelcast.getMap(ClusterSetup.DEAD_LETTERS);
    long[] saved = {0};
    try (Snapshot.Writer writer = Snapshot.writeFile(dir.resolve(FILE))) {
      ByteBuf record = Unpooled.buffer(512);
      users.forEach((userId, user) -> {
        record.clear();
        Bytes.writeString(record, userId);
        user.write(record);
        writer.record(USER, record);
        saved[0]++;
      });
      deadLetters.forEach((id, json) -> {
        record.clear();
        Bytes.writeString(record, id);
        Bytes.writeString(record, json);
        writer.record(DEAD_LETTER, record);
      });
      writer.commit(0);
    }
    LOG.info("last node of the cluster: {} user(s) and {} dead letter(s) saved in {}; start this node first next "
        + "time, or at least before traffic comes", saved[0], deadLetters.size(), dir.resolve(FILE));
    return saved[0];
  }

  /**
   * Loads what the last node of a previous run saved, for the users the cluster does not hold yet; blocking.
   *
   * @return the users loaded, or -1 when there was nothing to load
   */
  public static long load(HazelcastInstance hazelcast, Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return -1;
    }
    IMap<String, ClusterUser> users = hazelcast.getMap(ClusterSetup.USERS);
    IMap<String, String> deadLetters = hazelcast.getMap(ClusterSetup.DEAD_LETTERS);
    Map<String, ClusterUser> batch = new HashMap<>();
    long[] loaded = {0};
    Snapshot.readFile(file, (seq, type, record) -> {
      String key = Bytes.readString(record);
      if (type == USER) {
        batch.put(key, ClusterUser.read(record, new ClusterUser()));
        if (batch.size() == BATCH) {
          loaded[0] += putAbsent(users, batch);
        }
      } else if (type == DEAD_LETTER) {
        deadLetters.putIfAbsent(key, Bytes.readString(record));
      } else {
        throw Snapshot.unreadable(file, "it holds a record of an unknown type " + type);
      }
    });
    loaded[0] += putAbsent(users, batch);
    try {
      Files.move(file, file.resolveSibling(FILE + ".loaded"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("could not keep " + file + " aside once loaded: " + e, e);
    }
    LOG.info("cluster state saved by the last node of the previous run loaded from {}: {} user(s)", file, loaded[0]);
    return loaded[0];
  }

  /** Puts the users the map does not hold: a user already there is newer than what was saved. */
  private static long putAbsent(IMap<String, ClusterUser> users, Map<String, ClusterUser> batch) {
    users.getAll(batch.keySet()).keySet().forEach(batch::remove);
    users.putAll(batch);
    long put = batch.size();
    batch.clear();
    return put;
  }
}
