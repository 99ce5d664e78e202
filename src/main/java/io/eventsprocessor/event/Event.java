package io.eventsprocessor.event;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One event of the app, in the single internal shape that every accepted format decodes to.
 *
 * @param id               unique per event: sent by the app, or derived from a legacy event's content
 * @param type             a plain identifier such as {@code training_program_started}
 * @param deviceId         the device that sent it; null for a CloudEvent that names none (its notifications then
 *                         name no device either)
 * @param occurredAt       when it happened: the device's time, corrected for the device's clock skew when the
 *                         app sent {@code sentAt}, and never later than the receive time plus the allowed margin;
 *                         the time the rules judge by
 * @param receivedAt       when this service received it, by the server's clock
 * @param data             what is specific to the type (e.g. {@code programId}); JSON values, never null
 * @param deviceOccurredAt the time as the device stamped it, before any correction (for logs)
 * @param sentAt           the device's clock when the app sent the request, if it said; null otherwise
 * @param timeZone         the user's time zone as this event tells it (see {@link Zones}): an IANA id, or the
 *                         offset of its timestamp; null when it tells none
 * @param locale           the user's language as this event tells it: a BCP 47 tag ({@code de-AT}); null when it
 *                         tells none
 */
public record Event(
    String id,
    String type,
    String userId,
    String deviceId,
    Instant occurredAt,
    Instant receivedAt,
    Map<String, Object> data,
    Instant deviceOccurredAt,
    Instant sentAt,
    String timeZone,
    String locale) {

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(receivedAt, "receivedAt");
    data = data == null ? Map.of() : withoutNulls(data);
    deviceOccurredAt = deviceOccurredAt == null ? occurredAt : deviceOccurredAt;
  }

  /** An event that tells neither the user's time zone nor language. */
  public Event(String id, String type, String userId, String deviceId, Instant occurredAt, Instant receivedAt,
      Map<String, Object> data, Instant deviceOccurredAt, Instant sentAt) {
    this(id, type, userId, deviceId, occurredAt, receivedAt, data, deviceOccurredAt, sentAt, null, null);
  }

  /** An event whose time is taken as the device stamped it (no {@code sentAt}, no correction). */
  public Event(String id, String type, String userId, String deviceId, Instant occurredAt, Instant receivedAt,
      Map<String, Object> data) {
    this(id, type, userId, deviceId, occurredAt, receivedAt, data, occurredAt, null);
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

  /** The event as if received at {@code time}. */
  Event receivedAt(Instant time) {
    return new Event(id, type, userId, deviceId, occurredAt, time, data, deviceOccurredAt, sentAt, timeZone, locale);
  }

  /** The same event at another (corrected) time; the device's own time stays as it was. */
  Event correctedTo(Instant time) {
    return new Event(id, type, userId, deviceId, time, receivedAt, data, deviceOccurredAt, sentAt, timeZone, locale);
  }
}
