package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One wire format of an event. A format reads the envelope and the type's data out of a JSON object
 * and names fields as its clients spell them; the rules common to all formats (limits, type names, required data,
 * clock-skew correction) live in {@link EventDecoder}. Adding a format is a class and a line in the decoder's list.
 */
interface EventFormat {

  /** Whether this format recognises the document as its own (when the media type does not say). */
  boolean claims(JsonObject json);

  /**
   * The media type that names this format alone (e.g. {@code application/cloudevents+json}), or null when the
   * format comes as plain {@code application/json} and is recognised by {@link #claims}.
   */
  default String mediaType() {
    return null;
  }

  /**
   * Reads the event as the device stamped it ({@code occurredAt} uncorrected, {@code sentAt} if the format has it);
   * returns null after reporting at least one error to {@code reader}.
   */
  Event read(JsonObject json, FieldReader reader, Instant receivedAt);

  /** How a client of this format spells the given {@code data} field of a type, for error messages. */
  String dataFieldName(String type, String dataKey);

  /** How a type name is written in this format, for the error on a type that is not one: e.g. app_launch. */
  default String typeExample() {
    return "e.g. app_launch";
  }

  /** How a client of this format spells the time the event occurred, for error messages. */
  String timeField();

  /** How a client of this format spells the device's clock at sending, for error messages. */
  default String sentAtField() {
    return "sentAt";
  }
}
