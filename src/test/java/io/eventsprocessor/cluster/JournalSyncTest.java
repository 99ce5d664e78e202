package io.eventsprocessor.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.state.Journal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before the events a step applied are answered, every member syncs what it wrote: a round of syncs through
 * Hazelcast's executor, shared by the answers waiting at once.
 */
@ExtendWith(VertxExtension.class)
class JournalSyncTest {
  @TempDir Path stateDir;
  HazelcastInstance member;
  ClusterJournal journal;
  Context context;
  JournalSync sync;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    int port = io.eventsprocessor.JarNode.freePort();
    member = Hazelcast.newHazelcastInstance(ClusterSetup.hazelcastConfig(ClusterSettings.read(ConfigReader.root(
        new JsonObject().put("name", "sync-" + UUID.randomUUID()).put("port", port).put("quorum", 1)))));
    journal = ClusterJournal.open(stateDir, Journal.Sync.fsync);
    journal.attach(member);
    context = vertx.getOrCreateContext();
    sync = new JournalSync(member, context, journal.syncs());
  }

  @AfterEach
  void tearDown() {
    member.getLifecycleService().terminate();
    journal.close();
  }

  /** Asks for {@code count} syncs at once, from the rules' context; how each ended. */
  List<String> synced(int count) throws Exception {
    Promise<List<Future<Void>>> asked = Promise.promise();
    context.runOnContext(v -> asked.complete(java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> sync.synced()).toList()));
    List<Future<Void>> futures = asked.future().await(15, TimeUnit.SECONDS);
    Future.join(futures).otherwiseEmpty().await(30, TimeUnit.SECONDS);
    return futures.stream().map(f -> f.succeeded() ? "synced" : "refused").toList();
  }

  @Test
  void answersCompleteOnceTheMembersSyncedWhatWasWritten() throws Exception {
    journal.record("ann", ClusterUser.tombstone(100), 10);
    assertThat(synced(3)).containsExactly("synced", "synced", "synced");
    journal.close();
    try (ClusterJournal reopened = ClusterJournal.open(stateDir, Journal.Sync.fsync)) {
      assertThat(reopened.takeSaved()).containsOnlyKeys("ann");
    }
  }
}
