package io.eventsprocessor.rules;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Ids kept in per-user state in the fewest heap bytes, because a node keeps a million users: a canonical UUID
 * (36 characters, 80 bytes as a String) is kept as the {@link UUID} it spells (32 bytes), other text of one-byte
 * characters as those bytes (a String's 24-byte wrapper saved), anything else as the String. {@link #text} gives
 * back exactly the text that was compacted.
 */
public final class CompactIds {
  private CompactIds() {}

  /** The compact form of {@code id}; null stays null. */
  public static Object compact(String id) {
    if (id == null) {
      return null;
    }
    if (isCanonicalUuid(id)) {
      return UUID.fromString(id);
    }
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) > 0xFF) {
        return id;
      }
    }
    return id.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The text {@link #compact} was given. */
  public static String text(Object compact) {
    if (compact == null || compact instanceof String) {
      return (String) compact;
    }
    if (compact instanceof UUID uuid) {
      return uuid.toString();
    }
    return new String((byte[]) compact, StandardCharsets.ISO_8859_1);
  }

  /** Exactly what {@link UUID#toString} writes: lower-case hex in groups of 8-4-4-4-12. */
  private static boolean isCanonicalUuid(String id) {
    if (id.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : (c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }
}
