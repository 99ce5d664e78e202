package io.eventsprocessor;

import io.eventsprocessor.cluster.ClusterSettings;
import io.eventsprocessor.cluster.ClusterSetup;
import io.eventsprocessor.config.ConfigReader;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** A node's config and Hazelcast member for clusters of nodes in one JVM, as the end-to-end tests run them. */
final class InJvmCluster {
  private InJvmCluster() {}

  /** A node on free ports, delivering to {@code notifyUrl} quickly, its state in {@code stateDir}. */
  static JsonObject nodeConfig(String notifyUrl, Path stateDir) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("notify", new JsonObject().put("url", notifyUrl).put("timeout", "PT2S")
            .put("initialBackoff", "PT0.05S").put("maxBackoff", "PT0.2S"))
        .put("notifySink", new JsonObject().put("enabled", false))
        .put("admin", new JsonObject().put("port", 0))
        .put("state", new JsonObject().put("dir", stateDir.toString()))
        .put("rules", Unguarded.rules());
  }

  /** The {@code cluster} section of node {@code index} of a cluster whose members listen on {@code ports}. */
  static JsonObject clusterSection(String name, List<Integer> ports, int index) {
    return new JsonObject().put("name", name).put("port", ports.get(index))
        .put("members", ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")))
        .put("pollInterval", "PT0.05S")
        // Few partitions: the nodes' calls then change several users of a partition at once, as under load.
        .put("partitions", 7);
  }

  static HazelcastClusterManager member(JsonObject clusterSection) {
    return new HazelcastClusterManager(ClusterSetup.hazelcastConfig(
        ClusterSettings.read(ConfigReader.root(clusterSection))));
  }
}
