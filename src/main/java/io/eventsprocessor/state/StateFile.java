package io.eventsprocessor.state;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * One JSON file of saved state in the state directory. Written atomically (a temporary file, then a rename),
 * so a crash mid-write leaves the previous snapshot intact; a file that exists but cannot be read fails the
 * start with a message saying so, rather than silently starting empty and forgetting users.
 *
 * <p>Plain java.nio on a worker thread rather than Vert.x's file system: the last save runs while Vert.x is
 * closing on SIGTERM, when Vert.x's file resolver may already be gone.
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
    return vertx.executeBlocking(() -> Files.exists(path) ? parse(Buffer.buffer(Files.readAllBytes(path))) : null);
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

  /**
   * Builds and writes the state on a worker thread, off the event loop: {@code state} must only read
   * immutable data (e.g. a copy of the users' map whose values are immutable records).
   */
  public Future<Void> write(Supplier<JsonObject> state) {
    return vertx.executeBlocking(() -> {
      writeAtomically(state.get().put("version", VERSION).toBuffer().getBytes());
      return null;
    });
  }

  private void writeAtomically(byte[] content) throws IOException {
    Path directory = path.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path temporary = Files.createTempFile(directory, path.getFileName().toString(), ".tmp");
    try {
      try (FileChannel file = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        file.write(ByteBuffer.wrap(content));
        file.force(true); // on disk before the rename makes it the state
      }
      Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(directory);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Makes the rename itself durable where the platform allows syncing a directory (Linux does). */
  private static void forceDirectory(Path directory) {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // not supported here: the rename is still atomic, only its durability on power loss is weaker
    }
  }
}
