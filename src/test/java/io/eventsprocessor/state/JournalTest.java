package io.eventsprocessor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir Path dir;
  final AtomicLong durable = new AtomicLong(-1);
  final List<Long> durableCalls = new CopyOnWriteArrayList<>();
  final AtomicReference<IOException> failure = new AtomicReference<>();
  final Journal.Listener listener = new Journal.Listener() {
    @Override
    public void durable(long seq) {
      durableCalls.add(seq);
      durable.set(seq);
    }

    @Override
    public void failed(IOException cause) {
      failure.set(cause);
    }
  };
  Journal journal;

  @AfterEach
  void close() {
    if (journal != null) {
      journal.close();
    }
  }

  static ByteBuf text(String s) {
    return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
  }

  static List<String> replay(Path dir, long after) throws IOException {
    List<String> read = new ArrayList<>();
    Journal.replay(dir, after, (seq, type, payload) -> read.add(seq + ":" + type + ":" + payload.toString(StandardCharsets.UTF_8)));
    return read;
  }

  @Test
  void recordsAreDurableInOrderAndReadBackAfterAStart() throws Exception {
    journal = Journal.open(dir, Journal.Sync.fsync, listener, 1);
    for (int i = 1; i <= 1000; i++) {
      assertThat(journal.append((byte) 7, text("r" + i))).isEqualTo(i);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> durable.get() == 1000);
    assertThat(durableCalls).isSorted();
    // Group commit: far fewer syncs than records.
    assertThat(durableCalls.size()).isLessThan(1000);
    journal.close();
    journal = null;

    List<String> read = replay(dir, 0);
    assertThat(read).hasSize(1000).startsWith("1:7:r1").endsWith("1000:7:r1000");
    assertThat(replay(dir, 990)).hasSize(10).startsWith("991:7:r991");
  }

  @Test
  void aRecordTornByACrashEndsItsSegmentAndTheNextSegmentIsStillRead() throws Exception {
    journal = Journal.open(dir, Journal.Sync.fsync, listener, 1);
    journal.append((byte) 1, text("first"));
    journal.append((byte) 1, text("second"));
    journal.close();
    Path segment = Journal.segments(dir).get(0);
    // A crash in the middle of the second record's write.
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(Files.size(segment) - 3);
    }
    journal = Journal.open(dir, Journal.Sync.fsync, listener, 2);
    journal.append((byte) 1, text("after the restart"));
    journal.close();
    journal = null;

    assertThat(replay(dir, 0)).containsExactly("1:1:first", "2:1:after the restart");
  }

  @Test
  void aSegmentTornAtItsFirstRecordIsStartedAfreshNotAppendedTo() throws Exception {
    journal = Journal.open(dir, Journal.Sync.fsync, listener, 1);
    journal.append((byte) 1, text("first"));
    journal.close();
    // A crash in the middle of the first write to the next segment (opened at a start or a rotation): the replay
    // reads nothing from it, and the next start opens a segment of the same name.
    Files.write(dir.resolve(String.format("journal-%020d.log", 2)), new byte[] {0, 0, 1, 0, 1, 2, 3, 4, 0, 0, 0});
    assertThat(replay(dir, 0)).containsExactly("1:1:first");
    journal = Journal.open(dir, Journal.Sync.fsync, listener, 2);
    journal.append((byte) 1, text("acknowledged after the restart"));
    journal.close();
    journal = null;

    assertThat(replay(dir, 0)).containsExactly("1:1:first", "2:1:acknowledged after the restart");
  }

  @Test
  void aCorruptRecordIsNotRead() throws Exception {
    journal = Journal.open(dir, Journal.Sync.write, listener, 1);
    journal.append((byte) 1, text("kept"));
    journal.append((byte) 1, text("flipped"));
    journal.close();
    journal = null;
    Path segment = Journal.segments(dir).get(0);
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length - 2] ^= 0x20;
    Files.write(segment, bytes);
    assertThat(replay(dir, 0)).containsExactly("1:1:kept");
  }

  @Test
  void aRotationStartsANewSegmentAndTheOldOnesCanBeDeleted() throws Exception {
    journal = Journal.open(dir, Journal.Sync.fsync, listener, 1);
    journal.append((byte) 1, text("a"));
    journal.append((byte) 1, text("b"));
    long next = journal.rotate();
    assertThat(next).isEqualTo(3);
    journal.append((byte) 1, text("c"));
    await().atMost(Duration.ofSeconds(5)).until(() -> durable.get() == 3);
    assertThat(Journal.segments(dir)).hasSize(2);

    journal.deleteSegmentsBefore(next);
    assertThat(Journal.segments(dir)).hasSize(1);
    assertThat(replay(dir, 0)).containsExactly("3:1:c");
  }

  @Test
  void aFailedWriteBreaksTheJournalUntilItStartsAfresh() throws Exception {
    AtomicBoolean diskFull = new AtomicBoolean();
    Journal.SegmentOpener opener = path -> diskFull.get()
        ? FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)
        : Journal.SegmentOpener.FILES.open(path);
    journal = Journal.open(dir, opener, Journal.Sync.fsync, listener, 1);
    journal.append((byte) 1, text("before"));
    await().atMost(Duration.ofSeconds(5)).until(() -> durable.get() == 1);

    diskFull.set(true);
    journal.rotate();
    journal.append((byte) 1, text("lost"));
    await().atMost(Duration.ofSeconds(5)).until(() -> failure.get() != null);
    assertThat(failure.get()).hasMessageContaining("No space left on device");
    assertThat(durable.get()).isEqualTo(1);
    assertThatThrownBy(() -> journal.append((byte) 1, text("refused"))).isInstanceOf(Journal.BrokenException.class);

    diskFull.set(false);
    long next = journal.rotate();
    journal.append((byte) 1, text("after"));
    await().atMost(Duration.ofSeconds(5)).until(() -> durable.get() == next);
    journal.deleteSegmentsBefore(next);
    assertThat(replay(dir, 0)).containsExactly(next + ":1:after");
  }

  @Test
  void theBytesOnDiskCountEverySegmentTheReplayWouldReadUntilASnapshotDeletesThem() throws Exception {
    journal = Journal.open(dir, Journal.Sync.fsync, listener, 1);
    journal.append((byte) 1, text("before the restart"));
    journal.close();
    long before = Files.size(Journal.segments(dir).get(0));
    journal = Journal.open(dir, Journal.Sync.fsync, listener, 2);
    assertThat(journal.bytesOnDisk()).isEqualTo(before);

    // A record larger than the journal's own write buffer goes to the file in pieces, whole.
    String large = "x".repeat(3 * DirectWriter.SIZE + 17);
    journal.append((byte) 2, text(large));
    long next = journal.rotate();
    journal.append((byte) 3, text("after the snapshot's position"));
    await().atMost(Duration.ofSeconds(5)).until(() -> durable.get() == next);
    assertThat(journal.bytesOnDisk()).isEqualTo(sizeOfSegments());
    assertThat(replay(dir, 0)).containsExactly("1:1:before the restart", "2:2:" + large,
        next + ":3:after the snapshot's position");

    journal.deleteSegmentsBefore(next);
    assertThat(journal.bytesOnDisk()).isEqualTo(sizeOfSegments()).isLessThan(1000);
  }

  private long sizeOfSegments() throws IOException {
    long size = 0;
    for (Path segment : Journal.segments(dir)) {
      size += Files.size(segment);
    }
    return size;
  }
}
