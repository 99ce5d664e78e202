package io.eventsprocessor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.config.ConfigReader;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ClusterSetupTest {

  @Test
  void theMembersSpreadTheUsersOverTheConfiguredPartitions() {
    Config config = ClusterSetup.hazelcastConfig(settings(new JsonObject().put("partitions", 7)));

    assertThat(config.getProperty("hazelcast.partition.count")).isEqualTo("7");
  }

  @Test
  void byDefaultOverHazelcastsOwnCount() {
    Config config = ClusterSetup.hazelcastConfig(settings(new JsonObject()));

    assertThat(config.getProperty("hazelcast.partition.count")).isEqualTo("271");
  }

  @Test
  void aClusterWithoutPartitionsIsAConfigError() {
    ConfigReader root = ConfigReader.root(new JsonObject().put("partitions", 0));
    ClusterSettings.read(root);

    assertThatThrownBy(root::finish).isInstanceOf(ConfigException.class).hasMessageContaining("partitions");
  }

  @Test
  void theServicesOwnOperationIsReadAsSuchByEveryMember() {
    Config config = ClusterSetup.hazelcastConfig(settings(new JsonObject()));

    var factory = config.getSerializationConfig().getDataSerializableFactories().get(PartitionStep.FACTORY_ID);
    assertThat(factory.create(new PartitionStep().getClassId())).isInstanceOf(PartitionStep.class);
  }

  private static ClusterSettings settings(JsonObject cluster) {
    return ClusterSettings.read(ConfigReader.root(cluster));
  }
}
