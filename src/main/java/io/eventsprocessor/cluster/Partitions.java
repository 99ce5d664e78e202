package io.eventsprocessor.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.impl.MapEntries;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.spi.impl.NodeEngine;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Calls on the users' map one partition at a time ({@link PartitionStep}): which partition holds a user, and a
 * change to some of its users, answered with each user's result once the owner and its backup have it.
 */
final class Partitions {
  private final String map;
  private final NodeEngine node;
  private final SerializationService serialization;

  Partitions(HazelcastInstance member, String map) {
    this.map = map;
    this.node = member instanceof HazelcastInstanceProxy proxy ? proxy.getOriginal().node.getNodeEngine()
        : ((com.hazelcast.instance.impl.HazelcastInstanceImpl) member).node.getNodeEngine();
    this.serialization = node.getSerializationService();
  }

  /** The partition that holds the user's entry. */
  int of(String userId) {
    return node.getPartitionService().getPartitionId(serialization.toData(userId));
  }

  /**
   * Runs the processor on the users of one partition: their results, by user (a user's null result is left out). A
   * call the member refuses at once (it is shutting down, say) fails the stage, as one that fails later does.
   */
  <R> CompletionStage<Map<String, R>> call(int partition, Collection<String> userIds,
      EntryProcessor<String, ClusterUser, R> processor) {
    Set<Data> keys = new LinkedHashSet<>(userIds.size() * 2);
    CompletionStage<MapEntries> answer;
    try {
      for (String userId : userIds) {
        keys.add(serialization.toData(userId));
      }
      answer = node.getOperationService()
          .invokeOnPartition(MapService.SERVICE_NAME, new PartitionStep(map, keys, processor), partition);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // On the thread that completes the call: without an executor, Hazelcast would start a thread for it here.
    return answer.thenApplyAsync(entries -> {
      Map<String, R> results = new HashMap<>(entries.size() * 2);
      entries.putAllToMap(serialization, results);
      return results;
    }, Runnable::run);
  }
}
