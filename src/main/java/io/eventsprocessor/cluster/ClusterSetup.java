package io.eventsprocessor.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.eventsprocessor.cluster.ClusterSettings;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * The Hazelcast member the service runs in a cluster, built from {@link ClusterSettings}: Vert.x's own maps (from
 * vertx-hazelcast's configuration), the network on the configured interface and port, members found by a list or
 * by Kubernetes, and the service's maps: the users, with one synchronous backup, indexed on what the nodes look for
 * (who is due, who has notifications to deliver), guarded against a split brain; and the dead letters.
 */
public final class ClusterSetup {
  public static final String USERS = "events-processor.users";
  public static final String DEAD_LETTERS = "events-processor.dead-letters";
  private static final String QUORUM = "events-processor.quorum";

  private ClusterSetup() {}

  public static Config hazelcastConfig(ClusterSettings settings) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // A member listed but not started yet is not waited for: the others form the cluster, it joins later.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    // A member that stops hands its partitions over first; a member killed is noticed by the missing heartbeats.
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    // Members with another count refuse to join: a cluster changes it only as a whole (see docs/cluster.md).
    config.setProperty("hazelcast.partition.count", Integer.toString(settings.partitions()));

    // The service's own operation on the users' map (see PartitionStep), read as such by the member that runs it.
    config.getSerializationConfig().addDataSerializableFactory(PartitionStep.FACTORY_ID, new PartitionStep.Factory());

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.port()).setPortAutoIncrement(false);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!settings.kubernetes().isEmpty()) {
      join.getKubernetesConfig().setEnabled(true).setProperty("service-name", settings.kubernetes());
      if (!settings.namespace().isEmpty()) {
        join.getKubernetesConfig().setProperty("namespace", settings.namespace());
      }
    } else {
      config.setProperty("hazelcast.socket.bind.any", "false");
      network.getInterfaces().setEnabled(true).addInterface(settings.host());
      join.getTcpIpConfig().setEnabled(true)
          .setMembers(settings.members().isEmpty() ? java.util.List.of(settings.host() + ":" + settings.port())
              : settings.members());
    }

    // Writes only: a node alone may still read, so that the cluster's last node can save what it holds.
    config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM, true, settings.minimumClusterSize())
        .setProtectOn(SplitBrainProtectionOn.WRITE));
    config.addMapConfig(new MapConfig(USERS)
        .setBackupCount(1)
        .setAsyncBackupCount(0)
        // Entry processors work on the object itself: no serialization on each event, only to back it up.
        .setInMemoryFormat(InMemoryFormat.OBJECT)
        .addIndexConfig(new IndexConfig(IndexType.SORTED, ClusterUser.WAKE_AT))
        .addIndexConfig(new IndexConfig(IndexType.SORTED, ClusterUser.PENDING_SINCE))
        .setSplitBrainProtectionName(QUORUM));
    config.addMapConfig(new MapConfig(DEAD_LETTERS).setBackupCount(1).setSplitBrainProtectionName(QUORUM));
    return config;
  }
}
