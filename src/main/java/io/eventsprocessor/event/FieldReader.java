package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Reads typed fields out of a JSON object and collects every problem instead of stopping at the first. */
final class FieldReader {
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
    String text = requiredString(key, 64);
    if (text == null) {
      return null;
    }
    try {
      return parser.apply(text);
    } catch (DateTimeParseException e) {
      error(key, "must be " + expected);
      return null;
    }
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

  static Instant parseInstant(DateTimeFormatter formatter, String text) {
    TemporalAccessor parsed = formatter.parse(text);
    return Instant.from(parsed);
  }
}
