package io.eventsprocessor.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log its appending threads write themselves: what several threads appended at once, each returning once its
 * record was synced, reads back whole and in the order of the numbers, across a rotation; the segments a snapshot
 * covers are deleted.
 */
class DirectJournalTest {
  @TempDir Path dir;

  @Test
  void whatThreadsAppendedAtOnceReadsBackWholeAcrossARotation() throws Exception {
    long rotatedAt;
    try (DirectJournal journal = DirectJournal.open(dir, Journal.Sync.fsync, 1)) {
      appendFromThreads(journal, 4, 250);
      rotatedAt = journal.rotate();
      appendFromThreads(journal, 4, 250);
    }
    List<Long> seqs = new ArrayList<>();
    List<String> payloads = new ArrayList<>();
    long last = Journal.replay(dir, 0, (seq, type, payload) -> {
      seqs.add(seq);
      payloads.add(payload.toString(java.nio.charset.StandardCharsets.UTF_8));
    });
    assertThat(seqs).hasSize(2000).isSorted().doesNotHaveDuplicates();
    assertThat(last).isEqualTo(2000);
    assertThat(rotatedAt).isEqualTo(1001);
    assertThat(payloads).contains("t0-0", "t3-249");

    try (DirectJournal journal = DirectJournal.open(dir, Journal.Sync.write, last + 1)) {
      long before = journal.bytesOnDisk();
      journal.deleteSegmentsBefore(rotatedAt);
      assertThat(journal.bytesOnDisk()).isLessThan(before);
    }
    List<Long> left = new ArrayList<>();
    Journal.replay(dir, 0, (seq, type, payload) -> left.add(seq));
    assertThat(left).hasSize(1000).startsWith(1001L);
  }

  private static void appendFromThreads(DirectJournal journal, int threads, int each) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            journal.append((byte) 1, Unpooled.copiedBuffer("t" + thread + "-" + i,
                java.nio.charset.StandardCharsets.UTF_8));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}
