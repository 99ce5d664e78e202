package io.eventsprocessor.cluster;

import io.eventsprocessor.config.ConfigReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node joins the others when the service runs with {@code -cluster}: the cluster's name, the interface and
 * port Hazelcast binds, and how members find each other (a list of {@code host:port}, or Kubernetes' discovery).
 *
 * @param members        {@code host:port} of members to join; a member may list itself; empty: this one alone
 * @param quorum         members a partition needs to see to take writes: the minority side of a split brain
 *                       refuses them (503) rather than acknowledge what a merge would drop; 0 for a majority of
 *                       {@code members}
 * @param kubernetes     the Kubernetes service whose endpoints are the members; empty for a member list
 * @param namespace      its namespace (empty: the pod's own)
 * @param pollInterval   how often a node looks for its users with something due, or notifications to deliver
 * @param partitions     how many partitions the users are spread over (Hazelcast's partition count): the same on
 *                       every member; fewer gather more events in each call under load (see {@link PartitionStep})
 */
public record ClusterSettings(String name, String host, int port, List<String> members, int quorum,
    String kubernetes, String namespace, Duration pollInterval, int partitions) {

  /** Reads {@code cluster}: every key with its default, checked. */
  public static ClusterSettings read(ConfigReader cluster) {
    String host = cluster.string("host", "127.0.0.1");
    int port = cluster.integer("port", 5701, 1, 65535);
    List<String> members = new ArrayList<>();
    for (String member : cluster.optionalString("members").split(",")) {
      String m = member.trim();
      if (m.isEmpty()) {
        continue;
      }
      int colon = m.lastIndexOf(':');
      if (colon <= 0 || !m.substring(colon + 1).matches("[0-9]{1,5}")) {
        cluster.problem("members", "must be host:port, comma-separated (no port ranges)", m);
      } else {
        members.add(m);
      }
    }
    ClusterSettings settings = new ClusterSettings(
        cluster.string("name", "events-processor"),
        host,
        port,
        List.copyOf(members),
        cluster.integer("quorum", 0, 0, 1000),
        cluster.optionalString("kubernetesService"),
        cluster.optionalString("kubernetesNamespace"),
        cluster.duration("pollInterval", Duration.ofMillis(200), Duration.ofMillis(10)),
        cluster.integer("partitions", 271, 1, 10_000));
    cluster.done();
    return settings;
  }

  /** Members a partition must see to take writes: the configured quorum, or a majority of the listed members. */
  public int minimumClusterSize() {
    return quorum > 0 ? quorum : members.size() / 2 + 1;
  }
}
