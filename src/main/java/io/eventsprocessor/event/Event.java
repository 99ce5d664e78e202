package io.eventsprocessor.event;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One event of the app, in the single internal shape that every accepted format decodes to.
 *
 * @param id         unique per event: sent by the app, or derived from a legacy event's content
 * @param type       a plain identifier such as {@code training_program_started}
 * @param occurredAt when it happened, by the device's clock
 * @param receivedAt when this service received it, by the server's clock (for logs and, later, skew correction)
 * @param data       what is specific to the type (e.g. {@code programId}); JSON values, never null
 */
public record Event(
    String id,
    String type,
    String userId,
    String deviceId,
    Instant occurredAt,
    Instant receivedAt,
    Map<String, Object> data) {

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(receivedAt, "receivedAt");
    data = data == null ? Map.of() : withoutNulls(data);
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> data) {
    Map<String, Object> copy = new LinkedHashMap<>();
    data.forEach((key, value) -> {
      if (value != null) {
        copy.put(key, value);
      }
    });
    return Collections.unmodifiableMap(copy);
  }

  /** A data field as a string, or null when absent or not a string. */
  public String dataString(String key) {
    return data.get(key) instanceof String s ? s : null;
  }
}
