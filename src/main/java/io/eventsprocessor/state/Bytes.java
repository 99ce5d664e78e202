package io.eventsprocessor.state;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Strings in the records of the journal and the snapshots: a length, then UTF-8; null is length -1. */
public final class Bytes {
  private Bytes() {}

  public static void writeString(ByteBuf out, String value) {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length).writeBytes(bytes);
  }

  public static String readString(ByteBuf in) {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
    in.skipBytes(length);
    return value;
  }
}
