package io.eventsprocessor.state;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes bytes held on the heap to a file through a direct buffer of its own, of a fixed size, a piece at a time.
 *
 * <p>Why: a heap buffer written to a {@link FileChannel} is first copied by the JDK into a temporary direct buffer
 * as large as the write, and the JDK keeps that buffer cached on the writing thread for the thread's life
 * ({@code sun.nio.ch.Util}). Snapshots of several MB, written from whichever worker thread ran them, left a buffer
 * of several MB on each worker thread: under a steady load direct memory reached {@code -XX:MaxDirectMemorySize}
 * within minutes, RSS passed its budget, and from then on every snapshot failed with "Cannot reserve … bytes of
 * direct buffer memory". Written from a direct buffer, the JDK copies nothing and caches nothing; the copy made here
 * is the one the JDK made before. The buffer is freed at {@link #close}, not left to the collector, so the direct
 * memory the state's files hold is {@link #SIZE} per writer open, whatever is written.
 *
 * <p>One thread at a time.
 */
final class DirectWriter implements AutoCloseable {
  /** Large enough that a write costs one system call per 256 KiB; small enough to be negligible in the budget. */
  static final int SIZE = 256 * 1024;

  private final ByteBuf direct = Unpooled.directBuffer(SIZE, SIZE);

  /** Writes the readable bytes of {@code bytes} (left as they are) at the channel's position. */
  void write(FileChannel channel, ByteBuf bytes) throws IOException {
    int index = bytes.readerIndex();
    int end = bytes.writerIndex();
    while (index < end) {
      int length = Math.min(SIZE, end - index);
      direct.clear().writeBytes(bytes, index, length);
      ByteBuffer piece = direct.nioBuffer(0, length);
      while (piece.hasRemaining()) {
        channel.write(piece);
      }
      index += length;
    }
  }

  /** Frees the buffer at once. Closing again does nothing. */
  @Override
  public void close() {
    if (direct.refCnt() > 0) {
      direct.release();
    }
  }
}
