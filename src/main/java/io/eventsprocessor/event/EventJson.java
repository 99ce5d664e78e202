package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The shape of an event on the event bus: plain JSON, so that it crosses a cluster without a codec. */
public final class EventJson {
  private EventJson() {}

  public static JsonObject toJson(Event event) {
    return new JsonObject()
        .put("id", event.id())
        .put("type", event.type())
        .put("userId", event.userId())
        .put("deviceId", event.deviceId())
        .put("occurredAt", event.occurredAt().toString())
        .put("receivedAt", event.receivedAt().toString())
        .put("data", new JsonObject(event.data()));
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
        data == null ? null : data.getMap());
  }
}
