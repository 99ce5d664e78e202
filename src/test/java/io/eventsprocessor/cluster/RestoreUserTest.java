package io.eventsprocessor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.RuleEngineTest;
import io.eventsprocessor.state.Journal;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Putting back what the nodes' journals held after every node stopped: in whatever order the nodes put theirs back,
 * each user ends with its newest version, and what is put back is journaled again by the member that holds it.
 */
class RestoreUserTest {
  @TempDir Path stateDir;
  HazelcastInstance member;
  ClusterJournal journal;
  IMap<String, ClusterUser> users;

  @BeforeEach
  void setUp() throws Exception {
    int port = io.eventsprocessor.JarNode.freePort();
    member = Hazelcast.newHazelcastInstance(ClusterSetup.hazelcastConfig(ClusterSettings.read(ConfigReader.root(
        new JsonObject().put("name", "restore-" + UUID.randomUUID()).put("port", port).put("quorum", 1)))));
    journal = ClusterJournal.open(stateDir, Journal.Sync.write);
    journal.attach(member);
    // The quorum's membership is known a moment after the start: the map cannot be had until then.
    await().atMost(Duration.ofSeconds(30)).until(() -> member.getSplitBrainProtectionService()
        .getSplitBrainProtection("events-processor.quorum").hasMinimumSize());
    users = member.getMap(ClusterSetup.USERS);
  }

  @AfterEach
  void tearDown() {
    member.getLifecycleService().terminate();
    journal.close();
  }

  private static ClusterUser saved(long version, long wakeAt) {
    ClusterUser entry = ClusterUser.tombstone(wakeAt);
    entry.version(version);
    return entry;
  }

  private boolean restore(long version, long wakeAt) {
    return users.executeOnKeys(Set.of("ann"), new UserProcessors.RestoreUsers(Map.of("ann", saved(version, wakeAt))))
        .get("ann");
  }

  @Test
  void theNewestVersionWinsWhateverTheOrder() throws Exception {
    assertThat(restore(20, 200)).isTrue();
    assertThat(restore(10, 100)).as("older than the map's").isFalse();
    assertThat(restore(20, 999)).as("the same version").isFalse();
    assertThat(users.get("ann").getWakeAt()).isEqualTo(200);
    assertThat(restore(30, 300)).isTrue();
    assertThat(users.get("ann").getWakeAt()).isEqualTo(300);

    journal.close();
    try (ClusterJournal reopened = ClusterJournal.open(stateDir, Journal.Sync.write)) {
      assertThat(reopened.takeSaved().get("ann").version()).as("journaled where it is held").isEqualTo(30);
    }
  }

  @Test
  void aUserLeftWithNothingBecomesATombstoneThenIsRemoved() {
    ClusterRules.set(member, RuleEngineTest.standard().rules());
    assertThat(users.executeOnKey("ann", new UserProcessors.AddNotification(
        io.eventsprocessor.notify.Notification.fromJson(new JsonObject().put("id", "n1").put("kind", "k")
            .put("userId", "ann").put("triggeredBy", "e1").put("occurredAt", "2026-01-01T00:00:00Z")
            .put("data", new JsonObject())), 1000))).isNull();
    long version = users.get("ann").version();

    users.executeOnKey("ann", new UserProcessors.RemoveNotification("n1"));
    ClusterUser tombstone = users.get("ann");
    assertThat(tombstone.isEmpty()).isTrue();
    assertThat(tombstone.version()).isGreaterThan(version);
    // An older copy of the user, from a journal, does not come back over the tombstone.
    assertThat(restore(version, 5)).isFalse();

    users.executeOnKey("ann", new UserProcessors.WakeUp(tombstone.getWakeAt()));
    assertThat(users.get("ann")).as("removed once its hour is over").isNull();
  }
}
