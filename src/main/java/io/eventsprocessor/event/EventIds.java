package io.eventsprocessor.event;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** Ids for events that arrive without one. */
final class EventIds {
  private EventIds() {}

  /**
   * A name-based UUID of the document's content with its keys sorted, so that the same event sent twice,
   * in any key order or spacing, gets the same id (and deduplicates).
   *
   * @param notContent fields that describe the sending, not the event (such as {@code sentAt}, which differs
   *                   on each retry of the same event), left out so that a retry keeps its id
   */
  static String derive(JsonObject json, Set<String> notContent) {
    TreeMap<String, Object> content = new TreeMap<>(json.getMap());
    content.keySet().removeAll(notContent);
    String canonical = Json.encode(content);
    return UUID.nameUUIDFromBytes(canonical.getBytes(StandardCharsets.UTF_8)).toString();
  }

  static String derive(JsonObject json) {
    return derive(json, Set.of());
  }
}
