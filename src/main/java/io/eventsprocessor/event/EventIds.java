package io.eventsprocessor.event;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import java.util.UUID;

/** Ids for events that arrive without one. */
final class EventIds {
  private EventIds() {}

  /**
   * A name-based UUID of the document's content with its keys sorted, so that the same event sent twice,
   * in any key order or spacing, gets the same id (and later deduplicates).
   */
  static String derive(JsonObject json) {
    String canonical = Json.encode(new TreeMap<>(json.getMap()));
    return UUID.nameUUIDFromBytes(canonical.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
