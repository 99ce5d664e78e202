package io.eventsprocessor.state;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only log of records, numbered in the order they were appended, written by one thread of its own with
 * group commit: whatever was appended while the previous write and sync ran goes in the next one, so one sync
 * (about 0.3 ms on an SSD) serves every record of a few hundred microseconds. The listener learns, in order, up
 * to which record everything is on disk.
 *
 * <p>Records are framed as {@link Frames} says: a record torn by a crash fails its checksum and ends its segment on
 * replay. The log is cut into segments ({@code journal-<first seq>.log}): a new one at
 * each start and at each snapshot, so that the segments a snapshot covers can be deleted whole.
 *
 * <p>When a write or a sync fails, the journal is broken: {@link #append} refuses, and nothing appended since the
 * last durable record counts. {@link #rotate} starts afresh in a new segment (after the owner saved a snapshot of
 * what was durable).
 */
public final class Journal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final String PREFIX = "journal-";
  private static final String SUFFIX = ".log";

  /** How appended records are made durable. */
  public enum Sync {
    /** Written and synced to the disk: survives a crash of the machine. */
    fsync,
    /** Written to the operating system only: survives a crash of the process (kill -9), not of the machine. */
    write
  }

  /** Told, on the journal's thread, how far the log is durable, or that it broke. */
  public interface Listener {
    void durable(long seq);

    void failed(IOException cause);
  }

  /** Reads records on replay; the payload is only valid during the call. */
  public interface Reader {
    void record(long seq, byte type, ByteBuf payload);
  }

  /**
   * Opens the state's files for writing: the journal's segments, and the temporary file each snapshot is written to
   * before it is renamed into place. Tests open ones that fail, to see what a full disk does.
   */
  public interface SegmentOpener {
    /** A segment, for appending. */
    FileChannel open(Path path) throws IOException;

    /** A snapshot's temporary file (already created, empty), for writing. */
    default FileChannel openSnapshot(Path path) throws IOException {
      return FileChannel.open(path, StandardOpenOption.WRITE);
    }

    SegmentOpener FILES = path -> FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
  }

  /** The journal cannot take records now; the owner must {@link #rotate} once it has saved a snapshot. */
  public static final class BrokenException extends IllegalStateException {
    BrokenException(String message) {
      super(message);
    }
  }

  /**
   * Records appended together, bound for one segment. {@code rotateTo} &ge; 0: after these, the journal goes on in
   * a new segment whose first record is that number.
   */
  private static final class Chunk {
    final ByteBuf bytes = Unpooled.buffer(4096);
    long lastSeq = -1;
    long rotateTo = -1;

    boolean isEmpty() {
      return lastSeq < 0 && rotateTo < 0;
    }
  }

  private final Path dir;
  private final SegmentOpener opener;
  private final Sync sync;
  private volatile Listener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Deque<Chunk> chunks = new ArrayDeque<>();
  private final CRC32C crc = new CRC32C();
  private final Thread writer;
  /** The writer thread's way to the disk: no heap buffer reaches the channel (see {@link DirectWriter}). */
  private final DirectWriter out = new DirectWriter();
  /** Bytes of every segment in the directory: written by the writer, less the segments a snapshot deleted. */
  private final AtomicLong bytesOnDisk = new AtomicLong();
  private long nextSeq;
  private long bytesWritten;
  private boolean broken;
  private boolean closing;
  /** Written by the writer thread only (or while it waits on a broken journal). */
  private FileChannel segment;
  private Path segmentPath;

  private Journal(Path dir, SegmentOpener opener, Sync sync, Listener listener, long nextSeq) throws IOException {
    this.dir = dir;
    this.opener = opener;
    this.sync = sync;
    this.listener = listener;
    this.nextSeq = nextSeq;
    // A segment of this name holds nothing durable (the replay read none of its records), maybe a record torn by a
    // crash: appended after, the records would be unreadable behind it.
    Files.deleteIfExists(segmentPath(nextSeq));
    for (Path segment : segments(dir)) {
      bytesOnDisk.addAndGet(Files.size(segment)); // replayed at this start, deleted by the first snapshot
    }
    openSegment(nextSeq);
    chunks.add(new Chunk());
    this.writer = new Thread(this::run, "journal-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Starts appending in a new segment, numbering from {@code nextSeq} (one past the last record replayed).
   *
   * @throws IOException when the segment cannot be created and synced
   */
  public static Journal open(Path dir, Sync sync, Listener listener, long nextSeq) throws IOException {
    return open(dir, SegmentOpener.FILES, sync, listener, nextSeq);
  }

  public static Journal open(Path dir, SegmentOpener opener, Sync sync, Listener listener, long nextSeq)
      throws IOException {
    return new Journal(dir, opener, sync, listener, nextSeq);
  }

  /** A listener for a journal whose owner is not started yet. */
  public static final Listener NOBODY = new Listener() {
    @Override
    public void durable(long seq) {}

    @Override
    public void failed(IOException cause) {}
  };

  /**
   * Appends a record; it is durable once the listener says so.
   *
   * @return its sequence number
   * @throws BrokenException when the journal broke and was not started afresh yet
   */
  public long append(byte type, ByteBuf payload) {
    lock.lock();
    try {
      if (broken || closing) {
        throw new BrokenException(closing ? "the journal is closed" : "the journal could not be written");
      }
      Chunk chunk = chunks.peekLast();
      long seq = nextSeq++;
      int before = chunk.bytes.writerIndex();
      Frames.write(chunk.bytes, crc, seq, type, payload);
      bytesWritten += chunk.bytes.writerIndex() - before;
      chunk.lastSeq = seq;
      work.signal();
      return seq;
    } finally {
      lock.unlock();
    }
  }

  /** Who learns how far the log is durable (the one owner that waits on it). */
  public void listen(Listener listener) {
    this.listener = listener;
  }

  /** Bytes appended since the journal was opened. */
  public long bytesWritten() {
    lock.lock();
    try {
      return bytesWritten;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Bytes of the journal's segments on disk now: what a snapshot did not cover yet, and what a restart would replay.
   * Readable from any thread.
   */
  public long bytesOnDisk() {
    return bytesOnDisk.get();
  }

  /** How this journal opens the state's files: snapshots are written through it too. */
  public SegmentOpener opener() {
    return opener;
  }

  /** The number the next record will get. */
  public long nextSeq() {
    lock.lock();
    try {
      return nextSeq;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records appended from now on go to a new segment, so that the older segments can be deleted once a snapshot
   * covers them. A broken journal starts afresh: what it held but did not make durable is abandoned.
   *
   * @return the sequence number the new segment starts with
   */
  public long rotate() throws IOException {
    lock.lock();
    try {
      if (broken) {
        chunks.clear();
        chunks.add(new Chunk());
        closeSegment();
        openSegment(nextSeq);
        broken = false;
        return nextSeq;
      }
      chunks.peekLast().rotateTo = nextSeq;
      chunks.add(new Chunk());
      work.signal();
      return nextSeq;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Deletes the segments that start before {@code seq}: a snapshot covers every record before it, and every record
   * before it was written (the owner applies a record only once it is durable).
   */
  public void deleteSegmentsBefore(long seq) throws IOException {
    bytesOnDisk.addAndGet(-deleteSegmentsBefore(dir, seq));
  }

  /** Deletes the directory's segments whose first record precedes {@code seq}; returns the bytes freed. */
  static long deleteSegmentsBefore(Path dir, long seq) throws IOException {
    long freed = 0;
    for (Path file : segments(dir)) {
      if (firstSeq(file) < seq) {
        long size = Files.size(file);
        if (Files.deleteIfExists(file)) {
          freed += size;
        }
      }
    }
    syncDirectory(dir);
    return freed;
  }

  private void run() {
    while (true) {
      Chunk chunk;
      lock.lock();
      try {
        while (!closing && !hasWork()) {
          work.awaitUninterruptibly();
        }
        if (!hasWork()) {
          return; // closing, and everything was written
        }
        // Take the chunk: appends go on into the next one meanwhile.
        chunk = chunks.pollFirst();
        if (chunks.isEmpty()) {
          chunks.add(new Chunk());
        }
      } finally {
        lock.unlock();
      }
      try {
        write(chunk);
      } catch (IOException e) {
        lock.lock();
        try {
          broken = true;
        } finally {
          lock.unlock();
        }
        LOG.error("the journal could not be written to {}: {}", segmentPath, e.toString());
        listener.failed(e);
        continue;
      }
      if (chunk.lastSeq >= 0) {
        listener.durable(chunk.lastSeq);
      }
    }
  }

  private boolean hasWork() {
    return !broken && !chunks.peekFirst().isEmpty();
  }

  private void write(Chunk chunk) throws IOException {
    if (chunk.lastSeq >= 0) {
      out.write(segment, chunk.bytes);
      bytesOnDisk.addAndGet(chunk.bytes.readableBytes());
      if (sync == Sync.fsync) {
        segment.force(false);
      }
    }
    if (chunk.rotateTo >= 0) {
      closeSegment();
      openSegment(chunk.rotateTo);
    }
  }

  private void openSegment(long firstSeq) throws IOException {
    segmentPath = segmentPath(firstSeq);
    segment = opener.open(segmentPath);
    // The new file's name must be on disk too, or a crash could lose the whole segment.
    syncDirectory(dir);
  }

  private void closeSegment() {
    try {
      segment.close();
    } catch (IOException e) {
      // a broken segment: what it held was not durable, and is abandoned
    }
  }

  /** Writes what was appended, syncs it, and stops the writer. Closing again does nothing. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      work.signal();
    } finally {
      lock.unlock();
    }
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (!broken) {
        segment.force(true);
      }
    } catch (IOException e) {
      LOG.error("the journal could not be synced at close: {}", e.toString());
    }
    closeSegment();
    if (!writer.isAlive()) {
      out.close(); // else the writer still holds it (stuck in a write): left to the collector
    }
  }

  private Path segmentPath(long firstSeq) {
    return segmentPath(dir, firstSeq);
  }

  /** The segment whose first record is {@code firstSeq} (the names sort in the records' order). */
  static Path segmentPath(Path dir, long firstSeq) {
    return dir.resolve(String.format("%s%020d%s", PREFIX, firstSeq, SUFFIX));
  }

  static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not supported on this platform: the rename or creation is still atomic, only less durable
    }
  }

  /** The segment files, oldest first. */
  static List<Path> segments(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      stream.forEach(files::add);
    }
    files.sort(null);
    return files;
  }

  static long firstSeq(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
  }

  /**
   * Reads every record after {@code afterSeq}, in order. A segment ends at its first record that is torn or
   * corrupt (a crash while it was written): what follows it in that segment was never durable.
   *
   * @return the last sequence number read, or {@code afterSeq} when there was none
   */
  public static long replay(Path dir, long afterSeq, Reader reader) throws IOException {
    long[] last = {afterSeq};
    for (Path file : segments(dir)) {
      boolean whole;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        whole = Frames.read(in, (seq, type, payload) -> {
          if (seq > last[0]) {
            reader.record(seq, type, payload);
            last[0] = seq;
          }
        });
      } catch (IOException e) {
        // The JDK's message may name no file ("Is a directory"): the start's error must say which one.
        throw new IOException("cannot read the journal segment " + file.toAbsolutePath() + ": " + e.getMessage(), e);
      }
      if (!whole) {
        LOG.warn("journal segment {} ends with a torn or damaged record: what follows it was never durable", file);
      }
    }
    return last[0];
  }
}
