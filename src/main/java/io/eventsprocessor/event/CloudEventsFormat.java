package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CloudEvents 1.0 in the JSON event format (structured mode; the HTTP edge turns binary mode into the same
 * object). The mapping: {@code id} is the event id, {@code type} the event type (less the configured prefix, so that
 * producers may use reverse-DNS names such as {@code com.example.fitness.app_launch}), {@code time} when it occurred,
 * {@code subject} the user id, the optional extension attribute {@code deviceid} the device id, {@code data} the
 * type's data, and the extension {@code sentat} the device's clock at sending (as {@code sentAt} in the improved
 * format), and the extensions {@code timezone} and {@code locale} the user's. {@code source} is required, as CloudEvents requires it, and otherwise not used. What a CloudEvents SDK
 * writes without extensions is an event: {@code deviceid} is ours, and producers that know nothing of it leave it out.
 */
final class CloudEventsFormat implements EventFormat {
  static final String MEDIA_TYPE = "application/cloudevents+json";
  static final String SPEC_VERSION = "1.0";
  /** A JSON media type: {@code application/json}, or any {@code +json} suffix, with parameters. */
  private static final Pattern JSON_MEDIA_TYPE =
      Pattern.compile("(?i)\\s*(application/json|[a-z0-9.+-]+/[a-z0-9.+-]+\\+json)\\s*(;.*)?");

  private final Vocabulary vocabulary;
  private final String typePrefix;

  /** @param typePrefix taken off the start of a type that has it; empty for none */
  CloudEventsFormat(Vocabulary vocabulary, String typePrefix) {
    this.vocabulary = vocabulary;
    this.typePrefix = typePrefix;
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
    String type = type(reader);
    String userId = reader.requiredString("subject", Limits.ID_LENGTH);
    String deviceId = reader.optionalString("deviceid", Limits.ID_LENGTH);
    Instant occurredAt = reader.requiredTimestamp("time", FieldReader::parseRfc3339, ImprovedFormat.RFC_3339);
    Instant sentAt = reader.optionalTimestamp("sentat", FieldReader::parseRfc3339, ImprovedFormat.RFC_3339);
    String contentType = reader.optionalString("datacontenttype", Limits.ATTRIBUTE_LENGTH);
    if (contentType != null && !JSON_MEDIA_TYPE.matcher(contentType).matches()) {
      reader.error("datacontenttype", "must be application/json: data is read as a JSON object");
    }
    if (json.containsKey("data_base64")) {
      reader.error("data_base64", "is not accepted: send data as a JSON object");
    }
    String timeZone = reader.timeZone("timezone", "time");
    String locale = reader.locale("locale");
    JsonObject data = reader.optionalData(vocabulary);
    if (!reader.errors().isEmpty()) {
      return null;
    }
    return new Event(id, type, userId, deviceId, occurredAt, receivedAt, data == null ? Map.of() : data.getMap(),
        occurredAt, sentAt, timeZone, locale);
  }

  /** The type less the prefix (when it has it), within the type's own limit. */
  private String type(FieldReader reader) {
    // Read at any length the limits allow: which limit applies depends on the prefix.
    String type = reader.requiredString("type", Limits.STRING_LENGTH);
    if (type == null || typePrefix.isEmpty() || !type.startsWith(typePrefix)) {
      if (type != null && type.length() > Limits.TYPE_LENGTH) {
        reader.error("type", "must be at most " + Limits.TYPE_LENGTH + " characters");
        return null;
      }
      return type;
    }
    String name = type.substring(typePrefix.length());
    if (name.isEmpty() || name.length() > Limits.TYPE_LENGTH) {
      reader.error("type", "must be at most " + Limits.TYPE_LENGTH + " characters after the prefix");
      return null;
    }
    return name;
  }

  @Override
  public String typeExample() {
    return typePrefix.isEmpty() ? EventFormat.super.typeExample()
        : "with or without the prefix " + typePrefix + ", e.g. " + typePrefix + "app_launch";
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
