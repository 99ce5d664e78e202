package io.eventsprocessor.notify;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * A notification a rule decided on, in the body shape the notification service receives.
 *
 * @param id          stable: derived from the kind, the user and the triggering event, so the same cause always
 *                    gives the same id (the receiver and our own retries deduplicate on it)
 * @param deviceId    the device of the event that caused it; null when that event named none (a CloudEvent
 *                    without {@code deviceid}), and then absent from the body
 * @param triggeredBy the id of the event that caused it
 * @param locale      the BCP 47 tag of the language its message was written in (see {@link Messages}); null for a rule
 *                    that writes its own text, and then absent from the body
 */
public record Notification(String id, String kind, String userId, String deviceId, String message,
    Map<String, Object> data, String triggeredBy, String locale) {

  public Notification {
    data = Map.copyOf(data);
  }

  public static Notification of(
      String kind, String userId, String deviceId, String message, Map<String, Object> data, String triggeredBy) {
    String name = kind + '\n' + userId + '\n' + triggeredBy;
    String id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    return new Notification(id, kind, userId, deviceId, message, data, triggeredBy, null);
  }

  /** The same notification, with its message in another language. */
  public Notification inLanguage(String text, String tag) {
    return new Notification(id, kind, userId, deviceId, text, data, triggeredBy, tag);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("kind", kind)
        .put("userId", userId);
    if (deviceId != null) {
      json.put("deviceId", deviceId);
    }
    json
        .put("message", message)
        .put("data", new JsonObject(data))
        .put("triggeredBy", triggeredBy);
    if (locale != null) {
      json.put("locale", locale);
    }
    return json;
  }

  public static Notification fromJson(JsonObject json) {
    return new Notification(
        json.getString("id"),
        json.getString("kind"),
        json.getString("userId"),
        json.getString("deviceId"),
        json.getString("message"),
        json.getJsonObject("data", new JsonObject()).getMap(),
        json.getString("triggeredBy"),
        json.getString("locale"));
  }
}
