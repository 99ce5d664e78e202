package io.eventsprocessor.event;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.IllformedLocaleException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user's time zone and language as events tell them, checked and in one spelling each: a zone is an IANA id
 * ({@code Europe/Berlin}) or a fixed offset ({@code +02:00}); a language a BCP 47 tag ({@code de-AT}). Each distinct
 * value is kept once, whoever sends it, so that a million users in a few zones hold a few strings, not a million.
 */
public final class Zones {
  /** Distinct offsets and tags kept once at most; beyond, a value is its own copy (correct, only larger). */
  private static final int MOST_KEPT = 10_000;
  private static final Map<String, String> KEPT = new ConcurrentHashMap<>();

  private Zones() {}

  /**
   * The zone {@code text} names, spelled as Java spells it ({@code Europe/Berlin}, {@code +02:00}, {@code UTC}).
   *
   * @throws IllegalArgumentException when it names no zone the JDK knows
   */
  public static String zone(String text) {
    try {
      return kept(ZoneId.of(text).getId());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("unknown time zone");
    }
  }

  /**
   * The zone an RFC 3339 timestamp's offset tells ({@code +02:00}), or null for {@code Z} and a zero offset: a
   * client that stamps UTC says nothing of where its user is.
   */
  static String ofTimestamp(String text) {
    if (text == null || text.length() < 6) {
      return null;
    }
    char sign = text.charAt(text.length() - 6);
    if ((sign != '+' && sign != '-') || text.charAt(text.length() - 3) != ':') {
      return null;
    }
    try {
      ZoneOffset offset = ZoneOffset.of(text.substring(text.length() - 6));
      return offset.getTotalSeconds() == 0 ? null : kept(offset.getId());
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * The BCP 47 tag {@code text} is, in its usual case ({@code de-AT}).
   *
   * @throws IllegalArgumentException when it is not a well-formed tag
   */
  public static String locale(String text) {
    try {
      Locale locale = new Locale.Builder().setLanguageTag(text).build();
      if (locale.getLanguage().isEmpty()) {
        throw new IllegalArgumentException("no language");
      }
      return kept(locale.toLanguageTag());
    } catch (IllformedLocaleException e) {
      throw new IllegalArgumentException("not a BCP 47 language tag");
    }
  }

  /**
   * A zone or a tag read back from the journal, a snapshot or the cluster's map, checked when it was first taken: its
   * one shared copy, without parsing it again (this runs for every event a cluster node applies).
   */
  public static String known(String value) {
    return value == null ? null : kept(value);
  }

  private static String kept(String value) {
    String known = KEPT.get(value);
    if (known != null) {
      return known;
    }
    if (KEPT.size() >= MOST_KEPT) {
      return value;
    }
    known = KEPT.putIfAbsent(value, value);
    return known == null ? value : known;
  }
}
