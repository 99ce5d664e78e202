package io.eventsprocessor.state;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One JSON file of state as the version before the journal saved it, read once to import it. A file that exists but
 * cannot be read stops the start with a message naming it, rather than silently starting empty and forgetting
 * users. Blocking: called at start.
 */
public final class StateFile {
  private final Path path;

  public StateFile(Path directory, String name) {
    this.path = directory.resolve(name + ".json");
  }

  public Path path() {
    return path;
  }

  /**
   * The saved state, or null when there is none.
   *
   * @throws IllegalStateException naming the file and saying why it cannot be read
   */
  public JsonObject read() {
    if (!Files.exists(path)) {
      return null;
    }
    Buffer content;
    try {
      content = Buffer.buffer(Files.readAllBytes(path));
    } catch (IOException e) {
      throw unreadable("it cannot be read (" + e + ")");
    }
    try {
      JsonObject json = content.toJsonObject();
      if (json == null) {
        throw unreadable("it holds no JSON object");
      }
      return json;
    } catch (RuntimeException e) {
      throw e instanceof IllegalStateException ? e : unreadable("it is not valid JSON (" + e.getMessage() + ")");
    }
  }

  /** The error that refuses to start on this file, saying why. */
  public IllegalStateException unreadable(String why) {
    return new IllegalStateException("cannot read the state file " + path.toAbsolutePath() + ": " + why
        + ". Refusing to start empty and forget what it holds; repair or move the file away to start without it.");
  }
}
