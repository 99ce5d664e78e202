package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The improved format: camelCase envelope ({@code id}, {@code type}, {@code userId}, {@code deviceId},
 * {@code occurredAt} in RFC 3339 with a zone or offset, optionally {@code sentAt}, and the user's {@code timeZone}
 * and {@code locale}) and a {@code data} object for what is type-specific.
 */
final class ImprovedFormat implements EventFormat {
  static final String RFC_3339 = "an RFC 3339 timestamp with a zone or offset, e.g. \"2021-02-28T16:59:43Z\"";
  private static final Set<String> NOT_CONTENT = Set.of("sentAt");

  private final Vocabulary vocabulary;

  ImprovedFormat(Vocabulary vocabulary) {
    this.vocabulary = vocabulary;
  }

  @Override
  public boolean claims(JsonObject json) {
    return true;
  }

  @Override
  public Event read(JsonObject json, FieldReader reader, Instant receivedAt) {
    String id = reader.optionalString("id", Limits.ID_LENGTH);
    String type = reader.requiredString("type", Limits.TYPE_LENGTH);
    String userId = reader.requiredString("userId", Limits.ID_LENGTH);
    String deviceId = reader.requiredString("deviceId", Limits.ID_LENGTH);
    Instant occurredAt = reader.requiredTimestamp("occurredAt", FieldReader::parseRfc3339, RFC_3339);
    Instant sentAt = reader.optionalTimestamp("sentAt", FieldReader::parseRfc3339, RFC_3339);
    String timeZone = reader.timeZone("timeZone", "occurredAt");
    String locale = reader.locale("locale");
    JsonObject data = reader.optionalData(vocabulary);
    if (!reader.errors().isEmpty()) {
      return null;
    }
    if (id == null) {
      id = EventIds.derive(json, NOT_CONTENT);
    }
    return new Event(id, type, userId, deviceId, occurredAt, receivedAt, data == null ? Map.of() : data.getMap(),
        occurredAt, sentAt, timeZone, locale);
  }

  @Override
  public String timeField() {
    return "occurredAt";
  }

  @Override
  public String dataFieldName(String type, String dataKey) {
    return "data." + dataKey;
  }
}
