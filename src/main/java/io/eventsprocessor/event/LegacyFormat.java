package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The format of the app in users' hands: snake_case fields, {@code time_stamp} as
 * {@code "2021-02-28 16:22:52"} in UTC, data fields at the top level (under the legacy names the families
 * declare), no event id; optionally the user's {@code time_zone} and {@code locale}.
 */
final class LegacyFormat implements EventFormat {
  private static final DateTimeFormatter TIME_STAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);
  static final Set<String> ENVELOPE = Set.of("user_id", "device_id", "type", "time_stamp", "time_zone", "locale");

  private final Vocabulary vocabulary;

  LegacyFormat(Vocabulary vocabulary) {
    this.vocabulary = vocabulary;
  }

  @Override
  public boolean claims(JsonObject json) {
    return json.containsKey("user_id") || json.containsKey("device_id") || json.containsKey("time_stamp");
  }

  @Override
  public Event read(JsonObject json, FieldReader reader, Instant receivedAt) {
    String type = reader.requiredString("type", Limits.TYPE_LENGTH);
    String userId = reader.requiredString("user_id", Limits.ID_LENGTH);
    String deviceId = reader.requiredString("device_id", Limits.ID_LENGTH);
    Instant occurredAt = reader.requiredTimestamp("time_stamp",
        text -> LocalDateTime.parse(text, TIME_STAMP).toInstant(ZoneOffset.UTC),
        "a UTC time as \"yyyy-MM-dd HH:mm:ss\", e.g. \"2021-02-28 16:22:52\"");
    // Its time is UTC, without an offset: the user's zone only when told.
    String timeZone = reader.timeZone("time_zone", null);
    String locale = reader.locale("locale");
    Map<String, Object> data = new LinkedHashMap<>();
    for (Map.Entry<String, Object> field : json) {
      if (ENVELOPE.contains(field.getKey()) || field.getValue() == null) {
        continue;
      }
      DataField declared = vocabulary.fromLegacy(field.getKey());
      if (declared == null) {
        data.put(field.getKey(), field.getValue());
      } else {
        String value = reader.optionalString(field.getKey(), declared.maxLength());
        if (value != null) {
          data.put(declared.name(), value);
        }
      }
    }
    if (!reader.errors().isEmpty()) {
      return null;
    }
    return new Event(EventIds.derive(json), type, userId, deviceId, occurredAt, receivedAt, data, occurredAt, null,
        timeZone, locale);
  }

  @Override
  public String timeField() {
    return "time_stamp";
  }

  @Override
  public String dataFieldName(String type, String dataKey) {
    return vocabulary.legacyName(type, dataKey);
  }
}
