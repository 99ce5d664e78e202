package io.eventsprocessor.event;

import java.util.Objects;

/**
 * A {@code data} field of an event type, as the rule family that consumes the type declares it.
 *
 * @param name       its name in the improved format and in CloudEvents ({@code data.programId})
 * @param required   whether an event of the type must carry it, as a non-blank string
 * @param maxLength  its longest accepted value, in characters (checked whenever an event carries it)
 * @param legacyName how the legacy format spells it at the top level of the event ({@code training_program_id}),
 *                   or null when legacy events have no such field
 */
public record DataField(String name, boolean required, int maxLength, String legacyName) {
  /** The longest value a data field may be declared to take, in characters. */
  public static final int LONGEST = Limits.STRING_LENGTH;
  /** The legacy format's own top-level fields: no data field may be spelled like one of them. */
  public static final java.util.Set<String> LEGACY_ENVELOPE = LegacyFormat.ENVELOPE;

  public DataField {
    Objects.requireNonNull(name, "name");
    if (maxLength < 1 || maxLength > Limits.STRING_LENGTH) {
      throw new IllegalArgumentException(name + ": maxLength must be 1 to " + Limits.STRING_LENGTH);
    }
  }

  public static DataField required(String name, int maxLength) {
    return new DataField(name, true, maxLength, null);
  }

  public static DataField optional(String name, int maxLength) {
    return new DataField(name, false, maxLength, null);
  }

  /** The same field, spelled {@code legacyName} by the legacy format. */
  public DataField legacy(String legacyName) {
    return new DataField(name, required, maxLength, legacyName);
  }

  /** The stricter of two declarations of the same field. */
  static DataField strictest(DataField a, DataField b) {
    return new DataField(a.name, a.required || b.required, Math.min(a.maxLength, b.maxLength),
        a.legacyName != null ? a.legacyName : b.legacyName);
  }
}
