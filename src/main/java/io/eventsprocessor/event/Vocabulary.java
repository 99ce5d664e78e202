package io.eventsprocessor.event;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registered families' schemas, merged: the supported types, and every data field any of them names, with its
 * length and its legacy spelling. The formats and the checks learn the family-specific parts of an event from here.
 */
final class Vocabulary {
  private final Map<String, EventSchema> types = new LinkedHashMap<>();
  private final Map<String, DataField> fields = new LinkedHashMap<>();
  private final Map<String, String> legacyNames = new LinkedHashMap<>();

  Vocabulary(Collection<EventSchema> schemas) {
    for (EventSchema schema : schemas) {
      types.merge(schema.type(), schema, EventSchema::and);
      for (DataField field : schema.data()) {
        fields.merge(field.name(), field, DataField::strictest);
        // One data field may have several legacy spellings, one per type (cancel_reason, skip_reason).
        if (field.legacyName() != null) {
          legacyNames.put(field.legacyName(), field.name());
        }
      }
    }
  }

  /** The merged schema of a supported type, or null. */
  EventSchema schema(String type) {
    return types.get(type);
  }

  /** Every declared data field, with the longest value accepted for it whatever the event's type. */
  Collection<DataField> fields() {
    return fields.values();
  }

  /** The data field a legacy top-level field stands for, or null when it stands for none. */
  DataField fromLegacy(String legacyName) {
    String name = legacyNames.get(legacyName);
    return name == null ? null : fields.get(name);
  }

  /** How the legacy format spells a data field of a type: as the type's schema declares it, or as the data name. */
  String legacyName(String type, String dataName) {
    EventSchema schema = types.get(type);
    return schema == null ? dataName : schema.data().stream()
        .filter(f -> f.name().equals(dataName) && f.legacyName() != null)
        .map(DataField::legacyName)
        .findFirst()
        .orElse(dataName);
  }
}
