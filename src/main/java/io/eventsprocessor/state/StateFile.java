package io.eventsprocessor.state;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * One JSON file of saved state in the state directory. Written atomically (a temporary file, then a rename),
 * so a crash mid-write leaves the previous snapshot intact; a file that exists but cannot be read fails the
 * start with a message saying so, rather than silently starting empty and forgetting users.
 */
public final class StateFile {
  /** Bumped when the shape of saved state changes incompatibly. */
  public static final int VERSION = 1;

  private final Vertx vertx;
  private final Path path;

  public StateFile(Vertx vertx, Path directory, String name) {
    this.vertx = vertx;
    this.path = directory.resolve(name + ".json");
  }

  public Path path() {
    return path;
  }

  /** The saved state, or null when none was saved yet. */
  public Future<JsonObject> read() {
    FileSystem fs = vertx.fileSystem();
    return fs.exists(path.toString()).compose(exists -> {
      if (!exists) {
        return Future.succeededFuture(null);
      }
      return fs.readFile(path.toString()).map(this::parse);
    });
  }

  private JsonObject parse(Buffer content) {
    JsonObject json;
    try {
      json = content.toJsonObject();
    } catch (RuntimeException e) {
      throw unreadable("it is not valid JSON (" + e.getMessage() + ")");
    }
    if (json == null || json.getInteger("version", -1) != VERSION) {
      throw unreadable("its version is not " + VERSION);
    }
    return json;
  }

  /** The error that refuses to start on this file, saying why. */
  public IllegalStateException unreadable(String why) {
    return new IllegalStateException("cannot read the state file " + path.toAbsolutePath() + ": " + why
        + ". Refusing to start empty and forget what it holds; repair or move the file away to start without it.");
  }

  public Future<Void> write(JsonObject state) {
    FileSystem fs = vertx.fileSystem();
    String temporary = path + ".tmp";
    Buffer content = state.put("version", VERSION).toBuffer();
    return fs.mkdirs(path.getParent().toString())
        .compose(v -> fs.writeFile(temporary, content))
        .compose(v -> fs.move(temporary, path.toString(), new CopyOptions().setReplaceExisting(true).setAtomicMove(true)));
  }
}
