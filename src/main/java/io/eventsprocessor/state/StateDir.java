package io.eventsprocessor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The state directory, owned by one process at a time. Opening it checks what would otherwise be found out too
 * late: that it can be written and synced (a directory that cannot is refused at start, not at the first save),
 * that no other process uses it (an OS lock on {@code lock}, which also names the owner for the message), and it
 * removes the temporary files a save interrupted by a crash left behind.
 */
public final class StateDir implements AutoCloseable {
  static final String LOCK = "lock";
  static final String TEMPORARY = ".tmp";

  private final Path path;
  private final FileChannel lockFile;
  private final FileLock lock;

  private StateDir(Path path, FileChannel lockFile, FileLock lock) {
    this.path = path;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /** @throws StateDirException saying what is wrong with the directory, and naming it */
  public static StateDir open(Path dir) {
    Path path = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(path);
    } catch (IOException e) {
      throw new StateDirException(path, "it cannot be created (" + e + ")");
    }
    if (!Files.isDirectory(path)) {
      throw new StateDirException(path, "it is not a directory");
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(path.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StateDirException(path, "it cannot be written (" + e + ")");
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StateDirException(path, "it cannot be locked (" + e + ")");
    }
    if (lock == null) {
      String owner = readOwner(channel);
      closeQuietly(channel);
      throw new StateDirException(path, "another process uses it (" + owner + "); one directory per process");
    }
    StateDir opened = new StateDir(path, channel, lock);
    try {
      opened.writeOwner();
      opened.removeTemporaryFiles();
    } catch (IOException | UncheckedIOException e) {
      opened.close();
      throw new StateDirException(path, "it cannot be written and synced (" + e + ")");
    }
    return opened;
  }

  public Path path() {
    return path;
  }

  /** Writes who owns the directory into the lock file, synced: this also proves the directory can be written. */
  private void writeOwner() throws IOException {
    String owner = "pid " + ProcessHandle.current().pid() + " on " + hostName() + "\n";
    lockFile.truncate(0);
    lockFile.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.UTF_8)), 0);
    lockFile.force(true);
  }

  private static String readOwner(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(256);
      channel.read(buffer, 0);
      String owner = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
      return owner.isEmpty() ? "owner unknown" : owner;
    } catch (IOException e) {
      return "owner unknown";
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "an unknown host";
    }
  }

  /** What a save interrupted by a crash left: never part of the state, since a save renames only when complete. */
  private void removeTemporaryFiles() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(path, "*" + TEMPORARY)) {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
    closeQuietly(lockFile);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing more to do
    }
  }

  /** The state directory cannot be used; the message names it and says why. */
  public static final class StateDirException extends RuntimeException {
    StateDirException(Path path, String why) {
      super("cannot use the state directory " + path + ": " + why);
    }
  }
}
