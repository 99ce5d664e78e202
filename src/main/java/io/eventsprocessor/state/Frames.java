package io.eventsprocessor.state;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * How records are laid out in the journal and in snapshots: {@code [length][crc32c][seq][type][payload]}, the
 * length and checksum covering {@code seq, type, payload}. A record torn by a crash, or damaged, fails its length
 * or its checksum, and reading stops there.
 */
final class Frames {
  /** A record larger than this is garbage in a torn tail, not a record. */
  static final int MAX_RECORD = 64 * 1024 * 1024;

  private Frames() {}

  /** Appends one record to {@code out}; {@code crc} is reused, so one per thread. */
  static void write(ByteBuf out, CRC32C crc, long seq, byte type, ByteBuf payload) {
    int start = out.writerIndex();
    out.writeInt(8 + 1 + payload.readableBytes()).writeInt(0).writeLong(seq).writeByte(type)
        .writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    crc.reset();
    crc.update(out.nioBuffer(start + 8, out.writerIndex() - start - 8));
    out.setInt(start + 4, (int) crc.getValue());
  }

  /**
   * Reads records until the end of the stream, or until one is torn or damaged.
   *
   * @return true when the stream ended cleanly after a whole record
   */
  static boolean read(InputStream stream, Journal.Reader reader) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    CRC32C crc = new CRC32C();
    byte[] bytes = new byte[1024];
    while (true) {
      int length;
      try {
        length = in.readInt();
      } catch (EOFException e) {
        return true;
      }
      try {
        int expected = in.readInt();
        if (length < 9 || length > MAX_RECORD) {
          return false;
        }
        if (bytes.length < length) {
          bytes = new byte[Math.max(length, bytes.length * 2)];
        }
        in.readFully(bytes, 0, length);
        crc.reset();
        crc.update(bytes, 0, length);
        if ((int) crc.getValue() != expected) {
          return false;
        }
      } catch (EOFException e) {
        return false;
      }
      ByteBuf record = Unpooled.wrappedBuffer(bytes, 0, length);
      reader.record(record.readLong(), record.readByte(), record);
    }
  }
}
