package io.eventsprocessor.shapes;

import io.eventsprocessor.event.Event;
import java.util.Arrays;
import java.util.List;

/** An event's values of the data fields a rule keeps, as compactly as a million users need them. */
final class FieldValues {
  private FieldValues() {}

  /** Null for no field or no value; the one value for one field; else the values in the fields' order. */
  static Object of(Event event, List<String> fields) {
    if (fields.isEmpty()) {
      return null;
    }
    if (fields.size() == 1) {
      return event.dataString(fields.get(0));
    }
    String[] values = new String[fields.size()];
    boolean any = false;
    for (int i = 0; i < values.length; i++) {
      values[i] = event.dataString(fields.get(i));
      any |= values[i] != null;
    }
    return any ? Arrays.asList(values) : null;
  }
}
