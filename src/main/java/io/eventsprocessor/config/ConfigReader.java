package io.eventsprocessor.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one object of the config with defaults, checks each value, and reports every problem by its full key
 * (e.g. {@code rules.reminder.within}), including keys nobody reads: a typo must not be silently ignored.
 * Numbers and booleans may also be strings, as environment variables give them. Each part of the service (and
 * each rule family) reads its own object; {@link #finish} on the root then reports everything at once. A value
 * that came from an environment variable is reported by the variable's name: that is what the operator set.
 */
public final class ConfigReader {
  private final JsonObject json;
  private final String path;
  private final List<String> problems;
  /** Full key to the environment variable that set it: a problem is named as the operator spelled it. */
  private final Map<String, String> variables;
  private final Set<String> read = new HashSet<>();

  /** A reader of the whole config. */
  public static ConfigReader root(JsonObject json) {
    return root(json, Map.of());
  }

  /** @param variables full key to the environment variable that set it (see {@link ConfigLoader#variables}) */
  public static ConfigReader root(JsonObject json, Map<String, String> variables) {
    return new ConfigReader(json, "", new ArrayList<>(), variables);
  }

  private ConfigReader(JsonObject json, String path, List<String> problems, Map<String, String> variables) {
    this.json = json;
    this.path = path;
    this.problems = problems;
    this.variables = variables;
  }

  public ConfigReader object(String key) {
    read.add(key);
    Object value = json.getValue(key);
    if (value != null && !(value instanceof JsonObject)) {
      problem(key, "must be an object", value);
    }
    return new ConfigReader(value instanceof JsonObject o ? o : new JsonObject(), path + key + ".", problems, variables);
  }

  public String string(String key, String defaultValue) {
    read.add(key);
    Object value = json.getValue(key, defaultValue);
    if (!(value instanceof String s) || s.isBlank()) {
      problem(key, "must be a non-empty string", value);
      return defaultValue;
    }
    return s;
  }

  /** A string that may be empty (meaning "not set"); secrets and keys, typically set from the environment. */
  public String optionalString(String key) {
    read.add(key);
    Object value = json.getValue(key, "");
    if (!(value instanceof String s)) {
      problem(key, "must be a string", value);
      return "";
    }
    return s.trim();
  }

  /**
   * A list of strings: a JSON array of strings, or one string of comma-separated items (as an environment variable
   * gives it); empty by default.
   */
  public List<String> strings(String key) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (value instanceof String s) {
      return java.util.Arrays.stream(s.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
    }
    if (value instanceof io.vertx.core.json.JsonArray array && array.stream().allMatch(item -> item instanceof String)) {
      return array.stream().map(item -> ((String) item).trim()).toList();
    }
    problem(key, "must be a list of strings", value);
    return List.of();
  }

  /** One of an enum's constants, spelled as in the enum; anything else is reported with the accepted values. */
  public <E extends Enum<E>> E choice(String key, E defaultValue) {
    read.add(key);
    Object value = json.getValue(key, defaultValue.name());
    E[] constants = defaultValue.getDeclaringClass().getEnumConstants();
    for (E constant : constants) {
      if (value instanceof String text && constant.name().equals(text.trim())) {
        return constant;
      }
    }
    problem(key, "must be one of " + String.join(", ", java.util.Arrays.stream(constants).map(Enum::name).toList()),
        value);
    return defaultValue;
  }

  /** The keys this object holds, in their order in the config (a section of named entries, such as the rules). */
  public List<String> keys() {
    return List.copyOf(json.fieldNames());
  }

  /** Whether the object holds the key (with any value, null included). */
  public boolean has(String key) {
    return json.containsKey(key);
  }

  /** Whether the key is given as {@code false}: a feature turned off (a cap, quiet hours). */
  public boolean off(String key) {
    Object value = json.getValue(key);
    if (Boolean.FALSE.equals(value) || "false".equals(value)) {
      read.add(key);
      return true;
    }
    return false;
  }

  /** Whether the key holds an object (rather than a string, say: a message per language or one text). */
  public boolean isObject(String key) {
    return json.getValue(key) instanceof JsonObject;
  }

  /** A string that must be given: there is no default. */
  public String requiredString(String key) {
    if (!json.containsKey(key)) {
      read.add(key);
      problems.add(named(key, "is required"));
      return null;
    }
    return string(key, null);
  }

  /** An ISO-8601 duration longer than zero (a zero-length window or minimum would make the rule meaningless). */
  public Duration positiveDuration(String key, Duration defaultValue) {
    if (defaultValue == null && !json.containsKey(key)) {
      read.add(key);
      problems.add(named(key, "is required"));
      return null;
    }
    String text = string(key, defaultValue == null ? null : defaultValue.toString());
    if (text != null) {
      try {
        Duration d = Duration.parse(text);
        if (d.compareTo(Duration.ZERO) > 0) {
          return d;
        }
      } catch (DateTimeParseException e) {
        // reported below
      }
      problem(key, "must be an ISO-8601 duration longer than zero (e.g. PT10M, PT1.5S)", text);
    }
    return defaultValue;
  }

  /** Marks every key of this object as read: its problems are reported otherwise (an entry of an unknown kind). */
  public void skip() {
    read.addAll(json.fieldNames());
  }

  /** The full name of a key of this object, for problems found across keys. */
  public String name(String key) {
    return path + key;
  }

  public int integer(String key, int defaultValue, int min, int max) {
    read.add(key);
    Object value = json.getValue(key, defaultValue);
    try {
      int n = value instanceof Integer i ? i : Integer.parseInt(String.valueOf(value).trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(key, "must be a whole number from " + min + " to " + max, value);
    return defaultValue;
  }

  /**
   * A count that is {@code "auto"} by default: then {@code auto}, derived from the heap (see {@link MemoryBudget});
   * or a whole number from {@code min} to {@code max}.
   */
  public int countOrAuto(String key, int auto, int min, int max) {
    return (int) amountOrAuto(key, auto, min, max);
  }

  /** As {@link #countOrAuto}, for amounts beyond an int's range (bytes). */
  public long amountOrAuto(String key, long auto, long min, long max) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null || "auto".equals(value)) {
      return auto;
    }
    try {
      long n = value instanceof Number number && !(value instanceof Double || value instanceof Float)
          ? number.longValue() : Long.parseLong(String.valueOf(value).trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(key, "must be \"auto\" or a whole number from " + min + " to " + max, value);
    return auto;
  }

  public boolean bool(String key, boolean defaultValue) {
    read.add(key);
    Object value = json.getValue(key, defaultValue);
    if (value instanceof Boolean b) {
      return b;
    }
    if ("true".equals(value) || "false".equals(value)) {
      return Boolean.parseBoolean((String) value);
    }
    problem(key, "must be true or false", value);
    return defaultValue;
  }

  /** An ISO-8601 duration such as {@code PT10M}, at least {@code min}. */
  public Duration duration(String key, Duration defaultValue, Duration min) {
    String text = string(key, defaultValue.toString());
    try {
      Duration d = Duration.parse(text);
      if (d.compareTo(min) >= 0) {
        return d;
      }
    } catch (DateTimeParseException e) {
      // reported below
    }
    problem(key, "must be an ISO-8601 duration of at least " + min + " (e.g. PT10M, PT1.5S)", text);
    return defaultValue;
  }

  /** An absolute http or https URL. */
  public String url(String key, String defaultValue) {
    String text = string(key, defaultValue);
    try {
      URI uri = new URI(text);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return text;
      }
    } catch (Exception e) {
      // reported below
    }
    problem(key, "must be an absolute http(s) URL", text);
    return defaultValue;
  }

  /** A key that was renamed: given under its old name, it is reported with the new one. */
  public void renamed(String oldKey, String newName) {
    if (json.containsKey(oldKey)) {
      read.add(oldKey);
      problems.add(path + oldKey + ": renamed to " + newName);
    }
  }

  /**
   * Ends reading the root: reports its unknown keys, then stops with every problem found in any object.
   *
   * @throws ConfigException naming every key that is wrong or unknown
   */
  public void finish() {
    done();
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** Reports the keys of this object that nothing read. */
  public void done() {
    json.fieldNames().stream().filter(k -> !read.contains(k)).sorted()
        .forEach(k -> problems.add(path + k + ": unknown key"));
  }

  /** A problem whose value is not shown (a secret). */
  public void problem(String key, String message) {
    problems.add(named(key, message));
  }

  public void problem(String key, String message, Object value) {
    problems.add(named(key, message + ", got " + (value instanceof String ? "\"" + value + "\"" : value)));
  }

  /** {@code http.port: …}, or {@code HTTP_PORT: … (the environment variable for http.port)} when that set it. */
  private String named(String key, String message) {
    String variable = variables.get(path + key);
    return variable == null ? path + key + ": " + message
        : variable + ": " + message + " (the environment variable for " + path + key + ")";
  }
}
