package io.eventsprocessor.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.time.ClockTicker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;

/**
 * Remembers the events accepted within a window, so that a resent event (a retry after a lost answer, a batch
 * uploaded twice) is answered "duplicate" and not applied again. Bounded in entries: when full, the oldest are
 * forgotten first, and an event resent after that is applied again.
 *
 * <p>Keyed by user and event id together, so that one user cannot make another's events look like duplicates by
 * sending their ids; the key is a 128-bit SHA-256 prefix of both, so that an entry costs the same small, fixed
 * memory whatever the ids' length. Shared by every HTTP edge of the process (Caffeine is thread-safe).
 */
public final class DuplicateFilter {

  /** @param window how long an accepted event is remembered; @param maxEntries how many at most */
  public record Settings(Duration window, int maxEntries) {}

  private record Key(long high, long low) {}

  private final Cache<Key, Boolean> accepted;

  public DuplicateFilter(Settings settings, Clock clock) {
    this.accepted = Caffeine.newBuilder()
        .maximumSize(settings.maxEntries())
        .expireAfterWrite(settings.window())
        .ticker(new ClockTicker(clock))
        // Maintenance on the caller's thread: no pool to size, and expiry is exact for tests.
        .executor(Runnable::run)
        .build();
  }

  /** Whether the event was already accepted within the window. */
  public boolean seen(Event event) {
    return accepted.getIfPresent(key(event)) != null;
  }

  /** Records the event as accepted; false when it already was (by a concurrent request, maybe). */
  public boolean remember(Event event) {
    return accepted.asMap().putIfAbsent(key(event), Boolean.TRUE) == null;
  }

  private static Key key(Event event) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    // The user id's length first, so that no other (user, id) pair gives the same bytes.
    byte[] user = event.userId().getBytes(StandardCharsets.UTF_8);
    sha256.update(ByteBuffer.allocate(4).putInt(user.length).array());
    sha256.update(user);
    sha256.update(event.id().getBytes(StandardCharsets.UTF_8));
    ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
    return new Key(digest.getLong(), digest.getLong());
  }
}
