package io.eventsprocessor.event;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one event may hold, whatever its type (the data fields a family declares carry their own lengths);
 * published in the README. Strings are bounded because we keep some of them per user;
 * fields, names and nesting because each event is copied onto the bus and read by every handler: with the body
 * limits, they bound the memory and the work one request can cost.
 */
final class Limits {
  static final int TYPE_LENGTH = 64;
  static final int ID_LENGTH = 128;
  /** CloudEvents attributes other than the ids ({@code source}, {@code datacontenttype}). */
  static final int ATTRIBUTE_LENGTH = 256;
  /** Any other string value, at any depth. */
  static final int STRING_LENGTH = 1024;
  /** Any field name, at any depth. */
  static final int NAME_LENGTH = 64;
  /** Fields and array elements, at any depth, the envelope's included. */
  static final int FIELDS = 100;
  /** Objects and arrays along any path, the event itself included: {@code data} is level 2. */
  static final int DEPTH = 6;
  private Limits() {}

  /**
   * What in the document is over a limit, at most one error per limit, named by its path ({@code data.notes[3]}).
   * Stops walking once the field count is exceeded, so its work is bounded by the limit, not by the document.
   */
  static List<FieldError> check(JsonObject event) {
    Walk walk = new Walk();
    walk.object(event, "", 1);
    return walk.errors;
  }

  private static final class Walk {
    final List<FieldError> errors = new ArrayList<>();
    int fields;
    boolean tooMany;
    boolean tooDeep;
    boolean tooLongName;
    boolean tooLongString;

    void object(JsonObject object, String path, int depth) {
      if (!deepEnough(path, depth)) {
        return;
      }
      for (Map.Entry<String, Object> field : object) {
        String name = field.getKey();
        if (name.length() > NAME_LENGTH && !tooLongName) {
          tooLongName = true;
          errors.add(new FieldError(path.isEmpty() ? EventDecoder.BODY : path,
              "has a field name longer than " + NAME_LENGTH + " characters"));
        }
        String childPath = path.isEmpty() ? name : path + "." + name;
        if (!value(field.getValue(), childPath, depth)) {
          return;
        }
      }
    }

    void array(JsonArray array, String path, int depth) {
      if (!deepEnough(path, depth)) {
        return;
      }
      for (int i = 0; i < array.size(); i++) {
        if (!value(array.getValue(i), path + "[" + i + "]", depth)) {
          return;
        }
      }
    }

    /** False once the walk must stop. */
    boolean value(Object value, String path, int depth) {
      if (++fields > FIELDS) {
        if (!tooMany) {
          tooMany = true;
          errors.add(new FieldError(EventDecoder.BODY, "has more than " + FIELDS + " fields and array elements"));
        }
        return false;
      }
      if (value instanceof JsonObject object) {
        object(object, path, depth + 1);
      } else if (value instanceof JsonArray array) {
        array(array, path, depth + 1);
      } else if (value instanceof String s && s.length() > STRING_LENGTH && !tooLongString) {
        tooLongString = true;
        errors.add(new FieldError(path, "must be at most " + STRING_LENGTH + " characters"));
      }
      return !tooMany;
    }

    boolean deepEnough(String path, int depth) {
      if (depth <= DEPTH) {
        return true;
      }
      if (!tooDeep) {
        tooDeep = true;
        errors.add(new FieldError(path, "nests too deep: at most " + DEPTH
            + " levels of objects and arrays per event, the event itself included"));
      }
      return false;
    }
  }
}
