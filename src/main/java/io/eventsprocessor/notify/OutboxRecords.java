package io.eventsprocessor.notify;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The outbox's records in the journal: what became of a notification (delivered, dead-lettered, queued again by an
 * operator). Appended without waiting for the disk: a delivery whose record is lost in a crash is delivered again,
 * under the same id, which the receiver's Idempotency-Key check absorbs.
 */
public final class OutboxRecords {
  public static final byte DELIVERED = 10;
  public static final byte DEAD_LETTER = 11;
  public static final byte REQUEUED = 12;

  private OutboxRecords() {}

  static ByteBuf delivered(Notification n, long at) {
    return json(new JsonObject().put("id", n.id()).put("userId", n.userId()).put("at", at));
  }

  static ByteBuf deadLetter(Outbox.DeadLetter d) {
    return json(new JsonObject()
        .put("notification", d.notification().toJson())
        .put("queuedAt", d.queuedAt())
        .put("attempts", d.attempts())
        .put("lastError", d.lastError())
        .put("failedAt", d.failedAt()));
  }

  static ByteBuf requeued(String id, long at) {
    return json(new JsonObject().put("id", id).put("at", at));
  }

  /** Replays one of the outbox's records. */
  public static void replay(byte type, ByteBuf payload, Outbox outbox) {
    JsonObject json = new JsonObject(payload.toString(StandardCharsets.UTF_8));
    switch (type) {
      case DELIVERED -> outbox.recordDelivered(json.getString("userId"), json.getString("id"), json.getLong("at"));
      case DEAD_LETTER -> outbox.recordDeadLetter(new Outbox.DeadLetter(
          Notification.fromJson(json.getJsonObject("notification")), json.getLong("queuedAt"),
          json.getInteger("attempts"), json.getString("lastError"), json.getLong("failedAt")));
      case REQUEUED -> outbox.retryDeadLetter(json.getString("id"), json.getLong("at"));
      default -> throw new IllegalArgumentException("not an outbox record: " + type);
    }
  }

  public static boolean isOutboxRecord(byte type) {
    return type == DELIVERED || type == DEAD_LETTER || type == REQUEUED;
  }

  private static ByteBuf json(JsonObject json) {
    return Unpooled.wrappedBuffer(json.encode().getBytes(StandardCharsets.UTF_8));
  }
}
