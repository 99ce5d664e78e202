package io.eventsprocessor.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event type as a rule family declares it: its name and its {@code data} fields. The union of the registered
 * families' schemas is everything the service knows about types: which are supported, what they require, how long
 * their fields may be, and how the legacy format spells them.
 */
public record EventSchema(String type, List<DataField> data) {

  public EventSchema {
    data = List.copyOf(data);
  }

  public static EventSchema of(String type, DataField... data) {
    return new EventSchema(type, List.of(data));
  }

  /**
   * The same type as declared by two families: an event must satisfy both. A field both declare is required if
   * either requires it, and is held to the shorter of the two lengths.
   */
  public EventSchema and(EventSchema other) {
    Map<String, DataField> merged = new LinkedHashMap<>();
    for (DataField field : data) {
      merged.put(field.name(), field);
    }
    for (DataField field : other.data) {
      merged.merge(field.name(), field, DataField::strictest);
    }
    return new EventSchema(type, new ArrayList<>(merged.values()));
  }
}
