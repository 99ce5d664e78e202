package io.eventsprocessor.rules;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.Zones;
import io.eventsprocessor.state.Bytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;

/**
 * The rules' records in the journal: an event to apply, or a wake-up, each with the server time it happened at,
 * so that a replay after a crash applies them exactly as they were applied live. Binary: they are written for
 * every event, and read only after a crash.
 */
public final class EventRecords {
  public static final byte EVENT = 1;
  public static final byte WAKE_UP = 2;

  /** An event with the server time it is applied at. */
  public record Applied(Event event, long realNow) {}

  private EventRecords() {}

  public static ByteBuf event(Event event, long realNow) {
    ByteBuf out = Unpooled.buffer(256);
    out.writeLong(realNow);
    string(out, event.id());
    string(out, event.type());
    string(out, event.userId());
    string(out, event.deviceId());
    instant(out, event.occurredAt());
    instant(out, event.receivedAt());
    instant(out, event.deviceOccurredAt());
    instant(out, event.sentAt());
    string(out, event.data().isEmpty() ? null : Json.encode(event.data()));
    string(out, event.timeZone());
    string(out, event.locale());
    return out;
  }

  public static Applied readEvent(ByteBuf in) {
    long realNow = in.readLong();
    String id = string(in);
    String type = string(in);
    String userId = string(in);
    String deviceId = string(in);
    Instant occurredAt = instant(in);
    Instant receivedAt = instant(in);
    Instant deviceOccurredAt = instant(in);
    Instant sentAt = instant(in);
    String data = string(in);
    String timeZone = string(in);
    String locale = string(in);
    Map<String, Object> values = data == null ? Map.of() : new JsonObject(data).getMap();
    return new Applied(new Event(id, type, userId, deviceId, occurredAt, receivedAt, values, deviceOccurredAt, sentAt,
        Zones.known(timeZone), Zones.known(locale)), realNow);
  }

  public static ByteBuf wakeUp(long realNow) {
    return Unpooled.buffer(8).writeLong(realNow);
  }

  public static long readWakeUp(ByteBuf in) {
    return in.readLong();
  }

  private static void string(ByteBuf out, String value) {
    Bytes.writeString(out, value);
  }

  private static String string(ByteBuf in) {
    return Bytes.readString(in);
  }

  private static void instant(ByteBuf out, Instant value) {
    if (value == null) {
      out.writeByte(0);
      return;
    }
    out.writeByte(1).writeLong(value.getEpochSecond()).writeInt(value.getNano());
  }

  private static Instant instant(ByteBuf in) {
    return in.readByte() == 0 ? null : Instant.ofEpochSecond(in.readLong(), in.readInt());
  }
}
