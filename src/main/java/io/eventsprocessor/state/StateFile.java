package io.eventsprocessor.state;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One JSON file of saved state in the state directory. Written atomically (a temporary file synced to disk, then a
 * rename, then the directory synced), so a crash mid-write leaves the previous file intact; a file that exists but
 * cannot be read stops the start with a message naming it, rather than silently starting empty and forgetting
 * users. Blocking: called on a worker thread, or at start and stop.
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

  /** @throws UncheckedIOException naming the file */
  public void write(JsonObject state) {
    try {
      writeAtomically(state.toBuffer().getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + path.toAbsolutePath() + ": " + e, e);
    }
  }

  private void writeAtomically(byte[] content) throws IOException {
    Path directory = path.toAbsolutePath().getParent();
    Path temporary = Files.createTempFile(directory, path.getFileName().toString(), StateDir.TEMPORARY);
    try {
      try (FileChannel file = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(content);
        while (bytes.hasRemaining()) {
          file.write(bytes);
        }
        file.force(true); // on disk before the rename makes it the state
      }
      Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Journal.syncDirectory(directory);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
