package io.eventsprocessor.event;

import java.util.Map;

/** Lengths of the strings we keep per user; published in the README. */
final class Limits {
  static final int TYPE_LENGTH = 64;
  static final int ID_LENGTH = 128;
  static final int TITLE_LENGTH = 256;
  /** The known data fields and their longest accepted value. */
  static final Map<String, Integer> LENGTHS =
      Map.of(EventTypes.PROGRAM_ID, ID_LENGTH, EventTypes.PROGRAM_TITLE, TITLE_LENGTH);

  private Limits() {}

  static int lengthOf(String dataKey) {
    return LENGTHS.getOrDefault(dataKey, TITLE_LENGTH);
  }
}
