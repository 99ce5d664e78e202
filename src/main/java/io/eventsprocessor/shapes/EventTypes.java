package io.eventsprocessor.shapes;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.DataField;
import io.eventsprocessor.event.EventSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The config's {@code events} section: event types that no code knows, declared for the rules to name, each with its
 * {@code data} fields (required or not, longest value, legacy spelling). Ingestion accepts, checks and maps a declared
 * type exactly as it does the app's own, once a rule names it; a type no rule names stays unsupported. Declaring one of
 * the app's own types adds fields to it: an event must then satisfy both declarations.
 *
 * <pre>{@code
 * "events": {
 *   "yoga_session_started": {"data": {"sessionId": {"required": true, "maxLength": 128, "legacy": "yoga_session_id"},
 *                                     "style": {"maxLength": 64}}}
 * }
 * }</pre>
 */
public final class EventTypes {
  /** A field's longest value when its declaration does not say. */
  public static final int DEFAULT_MAX_LENGTH = 256;
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

  private EventTypes() {}

  /**
   * @param known the types the service knows without configuration
   * @return the known types with the declared ones, by name; problems are reported through the reader
   */
  public static Map<String, EventSchema> read(ConfigReader events, Map<String, EventSchema> known) {
    Map<String, EventSchema> all = new LinkedHashMap<>(known);
    // A legacy spelling stands for one data field, whatever the type (the legacy format looks it up by name alone).
    Map<String, String> legacySpellings = new HashMap<>();
    known.values().forEach(schema -> schema.data().stream().filter(f -> f.legacyName() != null)
        .forEach(f -> legacySpellings.put(f.legacyName(), f.name())));
    for (String type : events.keys()) {
      ConfigReader declared = events.object(type);
      if (!TYPE.matcher(type).matches()) {
        events.problem(type, "an event type is 1 to 64 lower-case letters, digits or '_', starting with a "
            + "letter");
      }
      ConfigReader data = declared.object("data");
      List<DataField> fields = new ArrayList<>();
      for (String name : data.keys()) {
        ConfigReader field = data.object(name);
        if (!FIELD.matcher(name).matches()) {
          data.problem(name, "a data field's name is 1 to 64 letters, digits or '_', starting with a letter");
        }
        boolean required = field.bool("required", false);
        int maxLength = field.integer("maxLength", DEFAULT_MAX_LENGTH, 1, DataField.LONGEST);
        String legacy = field.has("legacy") ? field.string("legacy", null) : null;
        if (legacy != null && DataField.LEGACY_ENVELOPE.contains(legacy)) {
          field.problem("legacy", "is one of the legacy format's own fields " + DataField.LEGACY_ENVELOPE, legacy);
          legacy = null;
        } else if (legacy != null) {
          String spelled = legacySpellings.putIfAbsent(legacy, name);
          if (spelled != null && !spelled.equals(name)) {
            field.problem("legacy", "already spells the data field " + spelled, legacy);
            legacy = null;
          }
        }
        field.done();
        fields.add(new DataField(name, required, maxLength, legacy));
      }
      declared.done();
      all.merge(type, new EventSchema(type, fields), EventSchema::and);
    }
    events.done();
    return all;
  }
}
