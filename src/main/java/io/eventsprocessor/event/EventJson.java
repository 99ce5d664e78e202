package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The shape of an event on the event bus: plain JSON, so that it crosses a cluster without a codec. */
public final class EventJson {
  private EventJson() {}

  public static JsonObject toJson(Event event) {
    JsonObject json = new JsonObject()
        .put("id", event.id())
        .put("type", event.type())
        .put("userId", event.userId())
        .put("deviceId", event.deviceId())
        .put("occurredAt", event.occurredAt().toString())
        .put("receivedAt", event.receivedAt().toString())
        .put("data", new JsonObject(event.data()))
        .put("deviceOccurredAt", event.deviceOccurredAt().toString());
    if (event.sentAt() != null) {
      json.put("sentAt", event.sentAt().toString());
    }
    return json;
  }

  public static Event fromJson(JsonObject json) {
    JsonObject data = json.getJsonObject("data");
    return new Event(
        json.getString("id"),
        json.getString("type"),
        json.getString("userId"),
        json.getString("deviceId"),
        Instant.parse(json.getString("occurredAt")),
        Instant.parse(json.getString("receivedAt")),
        data == null ? null : data.getMap(),
        instant(json, "deviceOccurredAt"),
        instant(json, "sentAt"));
  }

  private static Instant instant(JsonObject json, String key) {
    String text = json.getString(key);
    return text == null ? null : Instant.parse(text);
  }
}
