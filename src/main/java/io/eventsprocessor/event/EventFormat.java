package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One wire format of an event. A format reads the envelope and the type's data out of a JSON object
 * and names fields as its clients spell them; the rules common to all formats live in {@link EventDecoder}.
 */
interface EventFormat {

  /** Whether this format recognises the document as its own. */
  boolean claims(JsonObject json);

  /** Reads the event; returns null after reporting at least one error to {@code reader}. */
  Event read(JsonObject json, FieldReader reader, Instant receivedAt);

  /** How a client of this format spells the given {@code data} field, for error messages. */
  String dataFieldName(String dataKey);
}
