package io.eventsprocessor.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {
  @TempDir Path dir;

  /** A snapshot as the rules write one: many small records (users), then one large (the outbox's contents). */
  static void write(Path dir, String large) {
    try (Snapshot.Writer writer = Snapshot.write(dir)) {
      for (int i = 0; i < 20_000; i++) {
        writer.record((byte) 1, Unpooled.wrappedBuffer(("user-" + i).getBytes(StandardCharsets.UTF_8)));
      }
      writer.record((byte) 3, Unpooled.wrappedBuffer(large.getBytes(StandardCharsets.UTF_8)));
      writer.commit(42);
    }
  }

  @Test
  void aSnapshotOfRecordsLargerThanItsWriteBufferIsReadBackWhole() {
    String large = "o".repeat(5 * 1024 * 1024 + 3);
    write(dir, large);

    List<String> read = new ArrayList<>();
    long position = Snapshot.read(dir, (seq, type, payload) -> read.add(type + ":" + payload.toString(StandardCharsets.UTF_8)));
    assertThat(position).isEqualTo(42);
    assertThat(read).hasSize(20_001).startsWith("1:user-0").endsWith("3:" + large);
  }

  /**
   * Snapshots run on whichever worker thread is free. Each used to leave a direct buffer as large as its largest
   * write cached on that thread (the JDK's copy of a heap buffer written to a file): with a few MB per snapshot and
   * a pool of worker threads, direct memory reached its limit within minutes, and snapshots then failed.
   */
  @Test
  void snapshotsWrittenFromManyThreadsLeaveNoDirectMemoryBehind() throws Exception {
    String large = "o".repeat(5 * 1024 * 1024);
    ExecutorService workers = Executors.newFixedThreadPool(8);
    try {
      write(dir.resolve(Files.createDirectory(dir.resolve("warm-up"))), "warm");
      long before = directMemoryUsed();
      List<Future<?>> written = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Path each = Files.createDirectory(dir.resolve("s" + i));
        written.add(workers.submit(() -> write(each, large)));
      }
      for (Future<?> snapshot : written) {
        snapshot.get();
      }
      // The threads are alive still, with whatever they cached: 8 × 5 MB before.
      assertThat(directMemoryUsed() - before).isLessThan(2 * 1024 * 1024);
    } finally {
      workers.shutdownNow();
    }
  }

  private static long directMemoryUsed() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
  }
}
