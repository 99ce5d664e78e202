package io.eventsprocessor.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code -conf} names: a file holding a JSON object, or a JSON object given inline. The launcher of Vert.x
 * reads it leniently (a file it cannot read is tried as a JSON string, and then only a warning is logged), so a
 * mistyped file name would start the service on its defaults: no authentication, on every interface. Read here
 * strictly instead: anything but a JSON object stops the start, naming the file and what is wrong with it.
 */
public final class ConfigFile {
  /** A duplicated key would silently override the first; refused, like every other mistake in the config. */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigFile() {}

  /**
   * @param argument what was given to {@code -conf}: inline JSON when it starts with '{', a file's path otherwise
   * @throws ConfigException naming the file (or the inline JSON) and what is wrong with it
   */
  public static JsonObject read(String argument) {
    return read("-conf", argument);
  }

  /**
   * @param option the command line's option that gave it ({@code -conf}, {@code --rules}): the messages name it
   * @throws ConfigException naming the option, the file (or the inline JSON) and what is wrong with it
   */
  public static JsonObject read(String option, String argument) {
    if (argument.strip().startsWith("{")) {
      return parse(argument, option + " (the JSON given inline)");
    }
    String name = option + " " + argument;
    Path path;
    try {
      path = Path.of(argument);
    } catch (InvalidPathException e) {
      throw problem(name, "is not a file name (" + e.getReason() + ")");
    }
    if (Files.isDirectory(path)) {
      throw problem(name, "is a directory, not a file");
    }
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw problem(name, "no such file (relative to " + Path.of("").toAbsolutePath() + ")");
    } catch (IOException | RuntimeException e) {
      throw problem(name, "cannot be read (" + e + ")");
    }
    return parse(text, name);
  }

  private static JsonObject parse(String text, String name) {
    if (text.isBlank()) {
      throw problem(name, "is empty: it must hold a JSON object");
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      String why = e.getOriginalMessage().lines().findFirst().orElse("");
      throw problem(name, "is not valid JSON" + where + ": " + why);
    }
    if (!tree.isObject()) {
      throw problem(name, "must hold a JSON object, not " + kind(tree));
    }
    return new JsonObject(tree.toString());
  }

  private static String kind(JsonNode tree) {
    return switch (tree.getNodeType()) {
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      default -> "null";
    };
  }

  private static ConfigException problem(String name, String message) {
    return new ConfigException(List.of(name + ": " + message));
  }
}
