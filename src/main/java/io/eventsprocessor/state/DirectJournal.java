package io.eventsprocessor.state;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * An append-only log written by the threads that append, each returning once its record is durable: written to
 * the operating system, and, with {@link Journal.Sync#fsync}, synced to the disk with group commit (the first
 * thread that needs a sync makes it for everything written so far; the others that need one meanwhile wait for
 * it). For callers that must not return before their record is durable and cannot wait for a callback: a cluster's
 * entry processors, which run on Hazelcast's partition threads. Handing each record to a writer thread, as {@link
 * Journal} does, costs those threads two context switches a record, and on a busy machine the writer's turn comes
 * late; written here, a record costs one system call (a few microseconds).
 *
 * <p>Records, segments and their names are {@link Journal}'s: {@link Journal#replay} reads them. When a write or a
 * sync fails, the log refuses to append until {@link #rotate} starts afresh in a new segment.
 */
public final class DirectJournal implements AutoCloseable {
  private final Path dir;
  private final Journal.Sync sync;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition synced = lock.newCondition();
  private final CRC32C crc = new CRC32C();
  /** One record framed, written from here: a direct buffer, so the JDK copies nothing (see {@link DirectWriter}). */
  private final ByteBuf frame = Unpooled.directBuffer(4096);
  private final AtomicLong bytesOnDisk = new AtomicLong();
  private FileChannel segment;
  private long nextSeq;
  private long written = -1;
  private long durable = -1;
  private boolean syncing;
  private IOException failure;

  private DirectJournal(Path dir, Journal.Sync sync, long nextSeq) throws IOException {
    this.dir = dir;
    this.sync = sync;
    this.nextSeq = nextSeq;
    // A segment of this name holds nothing that was read back (see Journal's constructor): appended after, the
    // records would be unreadable behind a torn one.
    Files.deleteIfExists(Journal.segmentPath(dir, nextSeq));
    for (Path existing : Journal.segments(dir)) {
      bytesOnDisk.addAndGet(Files.size(existing));
    }
    segment = Journal.SegmentOpener.FILES.open(Journal.segmentPath(dir, nextSeq));
    Journal.syncDirectory(dir);
  }

  /** Appends in a new segment, numbering from {@code nextSeq} (one past the last record read back). */
  public static DirectJournal open(Path dir, Journal.Sync sync, long nextSeq) throws IOException {
    return new DirectJournal(dir, sync, nextSeq);
  }

  /**
   * Appends a record and returns once it is durable; any thread.
   *
   * @throws IOException when it could not be written or synced (and from then on, until {@link #rotate})
   */
  public void append(byte type, ByteBuf payload) throws IOException {
    append(type, payload, true);
  }

  /**
   * The same; with {@code awaitSync} false, it returns once written, and the next sync (of a later record, or at
   * {@link #rotate} or {@link #close}) covers it.
   */
  public void append(byte type, ByteBuf payload, boolean awaitSync) throws IOException {
    lock.lock();
    try {
      if (failure != null) {
        throw new IOException("the journal could not be written: " + failure.getMessage(), failure);
      }
      long seq = nextSeq++;
      frame.clear();
      Frames.write(frame, crc, seq, type, payload);
      try {
        ByteBuffer bytes = frame.nioBuffer();
        while (bytes.hasRemaining()) {
          segment.write(bytes);
        }
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      bytesOnDisk.addAndGet(frame.readableBytes());
      written = seq;
      if (sync == Journal.Sync.fsync && awaitSync) {
        awaitSynced(seq);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns once every record written so far is durable: at once without {@code fsync}, else by a sync of its own or
   * the one under way (callers at the same time share one); any thread.
   */
  public void syncWritten() throws IOException {
    if (sync != Journal.Sync.fsync) {
      return;
    }
    lock.lock();
    try {
      awaitSynced(written);
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock: syncs what was written, or waits for the sync under way, until {@code seq} is synced. */
  private void awaitSynced(long seq) throws IOException {
    while (durable < seq) {
      if (failure != null) {
        throw new IOException("the journal could not be synced: " + failure.getMessage(), failure);
      }
      if (syncing) {
        synced.awaitUninterruptibly();
        continue;
      }
      syncing = true;
      long target = written;
      FileChannel channel = segment;
      lock.unlock();
      IOException failed = null;
      try {
        channel.force(false);
      } catch (IOException e) {
        failed = e;
      } finally {
        lock.lock();
      }
      syncing = false;
      if (failed != null) {
        failure = failed;
      } else {
        durable = Math.max(durable, target);
      }
      synced.signalAll();
    }
  }

  /**
   * Appends from now on to a new segment, so that the older ones can be deleted once a snapshot covers them; a log
   * that failed starts afresh there (what failed was refused to its caller).
   *
   * @return the number the new segment's first record gets
   */
  public long rotate() throws IOException {
    lock.lock();
    try {
      while (syncing) {
        synced.awaitUninterruptibly();
      }
      if (failure == null && sync == Journal.Sync.fsync) {
        segment.force(false);
        durable = written;
      }
      try {
        segment.close();
      } catch (IOException e) {
        // a segment that failed: what it held was refused
      }
      segment = Journal.SegmentOpener.FILES.open(Journal.segmentPath(dir, nextSeq));
      Journal.syncDirectory(dir);
      failure = null;
      return nextSeq;
    } finally {
      lock.unlock();
    }
  }

  /** Deletes the segments whose records all precede {@code seq} (a snapshot covers them). */
  public void deleteSegmentsBefore(long seq) throws IOException {
    bytesOnDisk.addAndGet(-Journal.deleteSegmentsBefore(dir, seq));
  }

  /** Bytes of the segments on disk (any thread). */
  public long bytesOnDisk() {
    return bytesOnDisk.get();
  }

  /** Syncs and closes; appending afterwards fails. */
  @Override
  public void close() {
    lock.lock();
    try {
      while (syncing) {
        synced.awaitUninterruptibly();
      }
      if (failure == null) {
        try {
          segment.force(true);
        } catch (IOException e) {
          // closing: what was written is with the operating system
        }
      }
      try {
        segment.close();
      } catch (IOException e) {
        // closing anyway
      }
      failure = new IOException("the journal is closed");
      if (frame.refCnt() > 0) {
        frame.release();
      }
    } finally {
      lock.unlock();
    }
  }
}
