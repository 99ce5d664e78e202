package io.eventsprocessor.state;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;

/**
 * The whole state at a position of the journal, as a stream of records framed like the journal's: each owner writes
 * its records (a user each, the duplicate memory in chunks, the outbox), and a last record holds the position.
 * Written and read one record at a time, so that a million users never sit in memory twice; written to a
 * temporary file, synced, then renamed over the previous snapshot, so a crash mid-write leaves that one intact.
 * Recovery loads it, then replays the journal's records after the position.
 */
public final class Snapshot {
  public static final String FILE = "snapshot.dat";
  /** The last record: its payload is the position. A snapshot without it is damaged. */
  private static final byte END = 0;
  private static final int FLUSH_AT = 1 << 20;

  private Snapshot() {}

  public static Path path(Path dir) {
    return dir.resolve(FILE);
  }

  /** Starts writing a snapshot in the directory; nothing replaces the current one until {@link Writer#commit}. */
  public static Writer write(Path dir) {
    return write(dir, Journal.SegmentOpener.FILES);
  }

  /** The same, its temporary file opened by {@code files} (tests make it fail). */
  public static Writer write(Path dir, Journal.SegmentOpener files) {
    return new Writer(dir.resolve(FILE), files);
  }

  /** The same, to a file of another name. */
  public static Writer writeFile(Path file) {
    return new Writer(file, Journal.SegmentOpener.FILES);
  }

  /** Writes a snapshot record by record; blocking, off the event loop. */
  public static final class Writer implements AutoCloseable {
    private final Path file;
    private final Path dir;
    private final Path temporary;
    private final FileChannel channel;
    /** Records gather on the heap (a large one, the outbox's, may pass FLUSH_AT) and go to the file through out. */
    private final ByteBuf buffer = Unpooled.buffer(FLUSH_AT + 64 * 1024);
    private final DirectWriter out;
    private final CRC32C crc = new CRC32C();
    private long records;
    private boolean committed;

    private Writer(Path file, Journal.SegmentOpener files) {
      this.file = file;
      this.dir = file.toAbsolutePath().getParent();
      Path created = null;
      try {
        created = Files.createTempFile(dir, file.getFileName().toString(), StateDir.TEMPORARY);
        this.temporary = created;
        this.channel = files.openSnapshot(temporary);
      } catch (IOException e) {
        deleteQuietly(created);
        throw failed(e);
      }
      this.out = new DirectWriter();
    }

    public void record(byte type, ByteBuf payload) {
      if (type == END) {
        throw new IllegalArgumentException("type 0 ends a snapshot");
      }
      Frames.write(buffer, crc, records++, type, payload);
      if (buffer.readableBytes() >= FLUSH_AT) {
        flush();
      }
    }

    /** Makes it the snapshot: the position written last, synced, renamed over the previous one. */
    public void commit(long position) {
      Frames.write(buffer, crc, records++, END, Unpooled.buffer(8).writeLong(position));
      flush();
      try {
        channel.force(true);
        channel.close();
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw failed(e);
      }
      Journal.syncDirectory(dir);
      committed = true;
      out.close();
    }

    private void flush() {
      try {
        out.write(channel, buffer);
        buffer.clear();
      } catch (IOException e) {
        throw failed(e);
      }
    }

    private UncheckedIOException failed(IOException e) {
      return new UncheckedIOException("could not write " + file + ": " + e, e);
    }

    /** Abandons it unless committed: the previous snapshot stays. */
    @Override
    public void close() {
      out.close();
      if (!committed) {
        try {
          channel.close();
        } catch (IOException e) {
          // abandoned anyway
        }
        deleteQuietly(temporary);
      }
    }
  }

  private static void deleteQuietly(Path temporary) {
    if (temporary == null) {
      return;
    }
    try {
      Files.deleteIfExists(temporary);
    } catch (IOException e) {
      // a leftover temporary file is removed at the next start
    }
  }

  /**
   * Reads the snapshot's records, in order, to {@code reader}.
   *
   * @return its position, or -1 when there is no snapshot yet
   * @throws IllegalStateException naming the file when it cannot be read whole: the service refuses to start
   *                               rather than forget what it holds
   */
  public static long read(Path dir, Journal.Reader reader) {
    return readFile(path(dir), reader);
  }

  /** The same, from a file of another name. */
  public static long readFile(Path path, Journal.Reader reader) {
    if (!Files.exists(path)) {
      return -1;
    }
    long[] position = {-1};
    boolean whole;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      whole = Frames.read(in, (seq, type, payload) -> {
        if (type == END) {
          position[0] = payload.readLong();
        } else if (position[0] >= 0) {
          throw unreadable(path, "it has records after its end");
        } else {
          reader.record(seq, type, payload);
        }
      });
    } catch (IOException e) {
      throw unreadable(path, "it cannot be read (" + e + ")");
    }
    if (!whole || position[0] < 0) {
      throw unreadable(path, "it is incomplete or damaged");
    }
    return position[0];
  }

  /** The error that refuses to start on this file, saying why. */
  public static IllegalStateException unreadable(Path path, String why) {
    return new IllegalStateException("cannot read the state file " + path.toAbsolutePath() + ": " + why
        + ". Refusing to start empty and forget what it holds; repair or move the file away to start without it.");
  }
}
