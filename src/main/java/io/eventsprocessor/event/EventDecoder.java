package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a decoded JSON document into an {@link Event}, whatever its format, or into the list of what is
 * wrong with it. Pure: the receive time is an argument.
 */
public final class EventDecoder {
  /** The field name that stands for the document as a whole. */
  public static final String BODY = "$";
  private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9_]*");
  /** Tried in order; the last one claims every object. */
  private static final List<EventFormat> FORMATS = List.of(new LegacyFormat(), new ImprovedFormat());

  private final Map<String, EventSchema> supported = new LinkedHashMap<>();

  /** @param schemas the schemas the handlers declared; a type declared twice must carry all requirements */
  public EventDecoder(Collection<EventSchema> schemas) {
    for (EventSchema schema : schemas) {
      supported.merge(schema.type(), schema, EventSchema::and);
    }
  }

  public boolean supports(String type) {
    return supported.containsKey(type);
  }

  public Decoded decode(Object document, Instant receivedAt) {
    if (!(document instanceof JsonObject json)) {
      return new Decoded.Invalid(List.of(new FieldError(BODY, "the event must be a JSON object")));
    }
    EventFormat format = FORMATS.stream().filter(f -> f.claims(json)).findFirst().orElseThrow();
    FieldReader reader = new FieldReader(json);
    Event event = format.read(json, reader, receivedAt);
    if (event != null && !TYPE_NAME.matcher(event.type()).matches()) {
      reader.error("type", "must be a lower-case identifier of letters, digits and underscores, e.g. app_launch");
    }
    EventSchema schema = event == null ? null : supported.get(event.type());
    if (schema != null) {
      for (String field : schema.requiredData()) {
        if (event.dataString(field) == null) {
          reader.error(format.dataFieldName(field), "is required for " + event.type());
        }
      }
    }
    if (!reader.errors().isEmpty()) {
      return new Decoded.Invalid(reader.errors());
    }
    return new Decoded.Valid(event, schema != null);
  }
}
