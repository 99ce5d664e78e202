package io.eventsprocessor.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The shape nearly every timestamp has, {@code 2021-02-28T16:22:52Z} (fractions of a second and a {@code ±hh:mm}
 * offset allowed), read without {@link java.time.format.DateTimeFormatter}, whose general parser allocates a map and
 * a dozen objects per call on the hottest path of ingestion. Anything else, and anything out of range, is left to
 * the general parser (null), so both give the same answers.
 */
final class Rfc3339 {
  private Rfc3339() {}

  /** The instant, or null when the text is not of the common shape or not in range. */
  static Instant parse(String t) {
    int n = t.length();
    if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
        || t.charAt(16) != ':') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
        || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (t.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && isDigit(t.charAt(i))) {
        nanos = nanos * 10 + (t.charAt(i++) - '0');
      }
      if (i == start || (i < n && isDigit(t.charAt(i)))) {
        return null;
      }
      for (int k = i - start; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == n - 1 && t.charAt(i) == 'Z') {
      offsetSeconds = 0;
    } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
      int hours = digits(t, i + 1, 2);
      int minutes = digits(t, i + 4, 2);
      if (hours < 0 || hours > 17 || minutes < 0 || minutes > 59) {
        return null;
      }
      offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
    } else {
      return null;
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException noSuchDay) {
      return null;
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds, nanos);
  }

  /** The number the {@code count} digits at {@code from} spell, or -1 when one is not a digit. */
  private static int digits(String t, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
