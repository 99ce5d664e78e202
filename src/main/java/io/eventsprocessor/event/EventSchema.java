package io.eventsprocessor.event;

import java.util.List;
import java.util.stream.Stream;

/**
 * What a handler needs of an event type: its name and the {@code data} fields that must be present
 * (as non-blank strings). The union of the handlers' schemas is what the service supports.
 */
public record EventSchema(String type, List<String> requiredData) {

  public EventSchema {
    requiredData = List.copyOf(requiredData);
  }

  /** The same type as declared by two handlers: an event must satisfy both. */
  public EventSchema and(EventSchema other) {
    return new EventSchema(type, Stream.concat(requiredData.stream(), other.requiredData.stream()).distinct().toList());
  }

  public static EventSchema of(String type, String... requiredData) {
    return new EventSchema(type, List.of(requiredData));
  }
}
