package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Reads typed fields out of a JSON object and collects every problem instead of stopping at the first. */
final class FieldReader {
  /** The range of four-digit years, with a day to spare for offsets. */
  private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z").minusSeconds(86_400);
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z").plusSeconds(86_400);

  private final JsonObject json;
  private final String prefix;
  private final List<FieldError> errors;

  FieldReader(JsonObject json) {
    this(json, "", new ArrayList<>());
  }

  private FieldReader(JsonObject json, String prefix, List<FieldError> errors) {
    this.json = json;
    this.prefix = prefix;
    this.errors = errors;
  }

  /** A reader of a nested object whose errors are named {@code key.field} and join this reader's. */
  FieldReader nested(String key, JsonObject object) {
    return new FieldReader(object, prefix + key + ".", errors);
  }

  List<FieldError> errors() {
    return errors;
  }

  void error(String field, String message) {
    errors.add(new FieldError(prefix + field, message));
  }

  String requiredString(String key, int maxLength) {
    if (json.getValue(key) == null) {
      error(key, "is required");
      return null;
    }
    return optionalString(key, maxLength);
  }

  /** A string field; absent or null gives null, anything but a non-blank string within the length is an error. */
  String optionalString(String key, int maxLength) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      error(key, "must be a string");
      return null;
    }
    if (s.isBlank()) {
      error(key, "must not be blank");
      return null;
    }
    if (s.length() > maxLength) {
      error(key, "must be at most " + maxLength + " characters");
      return null;
    }
    return s;
  }

  Instant requiredTimestamp(String key, Function<String, Instant> parser, String expected) {
    if (json.getValue(key) == null) {
      error(key, "is required");
      return null;
    }
    return optionalTimestamp(key, parser, expected);
  }

  /**
   * A timestamp; absent gives null. Years are bounded to 0000-9999 (RFC 3339's four digits; the parsers would take
   * more with a sign), so that arithmetic on times, down to epoch milliseconds, can never overflow.
   */
  Instant optionalTimestamp(String key, Function<String, Instant> parser, String expected) {
    String text = optionalString(key, 64);
    if (text == null) {
      return null;
    }
    try {
      Instant time = parser.apply(text);
      if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
        error(key, "must be " + expected);
        return null;
      }
      return time;
    } catch (DateTimeException | ArithmeticException e) {
      error(key, "must be " + expected);
      return null;
    }
  }

  /** The {@code data} object, with the data fields the families declared checked; null when absent. */
  JsonObject optionalData(Vocabulary vocabulary) {
    JsonObject data = optionalObject("data");
    if (data != null) {
      FieldReader dataReader = nested("data", data);
      vocabulary.fields().forEach(field -> dataReader.optionalString(field.name(), field.maxLength()));
    }
    return data;
  }

  JsonObject optionalObject(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject o)) {
      error(key, "must be a JSON object");
      return null;
    }
    return o;
  }

  /** RFC 3339 with a zone or offset, fractions of a second allowed. */
  /**
   * The user's time zone as the event tells it: {@code key} when given (a zone the JDK does not know is an error,
   * never a silent UTC), else the offset of the timestamp at {@code timestampKey} (null: none) when it is not zero;
   * else null.
   */
  String timeZone(String key, String timestampKey) {
    String text = optionalString(key, 64);
    if (text != null) {
      try {
        return Zones.zone(text);
      } catch (IllegalArgumentException e) {
        error(key, "must be a time zone: an IANA id such as \"Europe/Berlin\", or an offset such as \"+02:00\"");
        return null;
      }
    }
    return timestampKey != null && json.getValue(timestampKey) instanceof String stamp ? Zones.ofTimestamp(stamp)
        : null;
  }

  /** The user's language as the event tells it, a BCP 47 tag; null when it tells none. */
  String locale(String key) {
    String text = optionalString(key, 35);
    if (text == null) {
      return null;
    }
    try {
      return Zones.locale(text);
    } catch (IllegalArgumentException e) {
      error(key, "must be a BCP 47 language tag, e.g. \"de-AT\" or \"en\"");
      return null;
    }
  }

  static Instant parseRfc3339(String text) {
    Instant fast = Rfc3339.parse(text);
    return fast != null ? fast : parseInstant(DateTimeFormatter.ISO_OFFSET_DATE_TIME, text);
  }

  static Instant parseInstant(DateTimeFormatter formatter, String text) {
    TemporalAccessor parsed = formatter.parse(text);
    return Instant.from(parsed);
  }
}
