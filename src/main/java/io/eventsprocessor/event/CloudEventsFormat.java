package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CloudEvents 1.0 in the JSON event format (structured mode; the HTTP edge turns binary mode into the same
 * object). The mapping: {@code id} is the event id, {@code type} the event type, {@code time} when it occurred,
 * {@code subject} the user id, the extension attribute {@code deviceid} the device id, {@code data} the type's
 * data, and the extension {@code sentat} the device's clock at sending (as {@code sentAt} in the improved
 * format). {@code source} is required, as CloudEvents requires it, and otherwise not used.
 */
final class CloudEventsFormat implements EventFormat {
  static final String MEDIA_TYPE = "application/cloudevents+json";
  static final String SPEC_VERSION = "1.0";
  /** A JSON media type: {@code application/json}, or any {@code +json} suffix, with parameters. */
  private static final Pattern JSON_MEDIA_TYPE =
      Pattern.compile("(?i)\\s*(application/json|[a-z0-9.+-]+/[a-z0-9.+-]+\\+json)\\s*(;.*)?");

  private final Vocabulary vocabulary;

  CloudEventsFormat(Vocabulary vocabulary) {
    this.vocabulary = vocabulary;
  }

  @Override
  public boolean claims(JsonObject json) {
    return json.containsKey("specversion");
  }

  @Override
  public String mediaType() {
    return MEDIA_TYPE;
  }

  @Override
  public Event read(JsonObject json, FieldReader reader, Instant receivedAt) {
    String specVersion = reader.requiredString("specversion", 16);
    if (specVersion != null && !SPEC_VERSION.equals(specVersion)) {
      reader.error("specversion", "must be \"" + SPEC_VERSION + "\"");
    }
    String id = reader.requiredString("id", Limits.ID_LENGTH);
    reader.requiredString("source", Limits.ATTRIBUTE_LENGTH);
    String type = reader.requiredString("type", Limits.TYPE_LENGTH);
    String userId = reader.requiredString("subject", Limits.ID_LENGTH);
    String deviceId = reader.requiredString("deviceid", Limits.ID_LENGTH);
    Instant occurredAt = reader.requiredTimestamp("time", FieldReader::parseRfc3339, ImprovedFormat.RFC_3339);
    Instant sentAt = reader.optionalTimestamp("sentat", FieldReader::parseRfc3339, ImprovedFormat.RFC_3339);
    String contentType = reader.optionalString("datacontenttype", Limits.ATTRIBUTE_LENGTH);
    if (contentType != null && !JSON_MEDIA_TYPE.matcher(contentType).matches()) {
      reader.error("datacontenttype", "must be application/json: data is read as a JSON object");
    }
    if (json.containsKey("data_base64")) {
      reader.error("data_base64", "is not accepted: send data as a JSON object");
    }
    JsonObject data = reader.optionalData(vocabulary);
    if (!reader.errors().isEmpty()) {
      return null;
    }
    return new Event(id, type, userId, deviceId, occurredAt, receivedAt, data == null ? Map.of() : data.getMap(),
        occurredAt, sentAt);
  }

  @Override
  public String timeField() {
    return "time";
  }

  @Override
  public String sentAtField() {
    return "sentat";
  }

  @Override
  public String dataFieldName(String type, String dataKey) {
    return "data." + dataKey;
  }
}
