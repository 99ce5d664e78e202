package io.eventsprocessor.state;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * The whole state at a position of the journal: one part per owner (the rules' users, the duplicate memory, the
 * outbox), each as its owner encodes it. Recovery loads it, then replays the journal's records after the position.
 *
 * @param position the last journal record whose effect the parts hold
 */
public record Snapshot(long position, JsonObject parts) {
  /** Bumped when the shape of the saved state changes incompatibly. */
  public static final int VERSION = 2;
  public static final String FILE = "snapshot";

  public static StateFile file(Path dir) {
    return new StateFile(dir, FILE);
  }

  /**
   * The latest snapshot in the directory, or null when none was saved yet.
   *
   * @throws IllegalStateException naming the file when it cannot be read
   */
  public static Snapshot read(Path dir) {
    StateFile file = file(dir);
    JsonObject json = file.read();
    if (json == null) {
      return null;
    }
    if (json.getInteger("version", -1) != VERSION || !(json.getValue("position") instanceof Number)
        || json.getJsonObject("parts") == null) {
      throw file.unreadable("it is not a snapshot of version " + VERSION);
    }
    return new Snapshot(json.getLong("position"), json.getJsonObject("parts"));
  }

  /** Writes it atomically; @throws java.io.UncheckedIOException naming the file */
  public void write(Path dir) {
    file(dir).write(new JsonObject().put("version", VERSION).put("position", position).put("parts", parts));
  }
}
