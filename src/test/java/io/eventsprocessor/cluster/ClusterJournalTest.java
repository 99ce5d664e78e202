package io.eventsprocessor.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.state.Journal;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's journal of the entries it holds, read back at its next start: each user's newest version, whatever the
 * order it was written in, a removal included, and the journal goes on after what it read.
 */
class ClusterJournalTest {
  @TempDir Path stateDir;

  private static ClusterUser entry(long version, long wakeAt) {
    ClusterUser entry = ClusterUser.tombstone(wakeAt);
    entry.version(version);
    return entry;
  }

  @Test
  void aStartReadsEachUsersNewestEntry() throws Exception {
    try (ClusterJournal journal = ClusterJournal.open(stateDir, Journal.Sync.write)) {
      assertThat(journal.takeSaved()).isEmpty();
      journal.record("ann", entry(10, 100), 10);
      journal.record("ann", entry(20, 200), 20);
      // An older version journaled later (a backup's copy taken after a newer one, say) does not win.
      journal.record("ann", entry(15, 150), 15);
      journal.record("bob", entry(30, 300), 30);
      journal.record("bob", null, 31);
    }

    try (ClusterJournal journal = ClusterJournal.open(stateDir, Journal.Sync.write)) {
      Map<String, ClusterJournal.Saved> saved = journal.takeSaved();
      assertThat(saved).containsOnlyKeys("ann", "bob");
      assertThat(saved.get("ann").version()).isEqualTo(20);
      assertThat(saved.get("ann").entry().getWakeAt()).isEqualTo(200);
      assertThat(saved.get("ann").entry().version()).isEqualTo(20);
      assertThat(saved.get("bob")).isEqualTo(new ClusterJournal.Saved(31, null));
      assertThat(journal.takeSaved()).as("handed over once").isEmpty();

      // Written without waiting for a sync: the close syncs it.
      journal.record("cy", entry(40, 400), 40);
    }

    try (ClusterJournal journal = ClusterJournal.open(stateDir, Journal.Sync.fsync)) {
      assertThat(journal.takeSaved()).containsOnlyKeys("ann", "bob", "cy");
    }
  }

  @Test
  void aVersionFollowsThePreviousOneAndTheWallClock() {
    assertThat(ClusterUser.nextVersion(null, 5)).isEqualTo(5000);
    // A clock that went back: one more than the previous version still orders the two.
    assertThat(ClusterUser.nextVersion(entry(9000, 0), 5)).isEqualTo(9001);
    assertThat(ClusterUser.nextVersion(entry(9000, 0), 12)).isEqualTo(12000);
    assertThat(ClusterUser.versionMillis(12_345)).isEqualTo(12);
  }
}
