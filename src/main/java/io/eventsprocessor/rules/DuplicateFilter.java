package io.eventsprocessor.rules;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.time.ClockTicker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Remembers the events applied within a window, so that a resent event (a retry after a lost answer, a batch
 * uploaded twice, a retry after a restart) is answered "duplicate" and not applied again. Bounded in entries: when
 * full, the oldest are forgotten first, and an event resent after that is applied again.
 *
 * <p>Keyed by user and event id together, so that one user cannot make another's events look like duplicates by
 * sending their ids; the key is a 128-bit SHA-256 prefix of both, so that an entry costs the same small, fixed
 * memory whatever the ids' length. The rules write it, when an event is applied; the HTTP edges read it, to answer
 * a resend without a round trip, and write the events of types no family declares, which have no effect to keep
 * (Caffeine is thread-safe). Each entry expires a window after the event was applied,
 * also when it was restored from a snapshot.
 */
public final class DuplicateFilter {

  /** The event's key: 128 bits of the SHA-256 of its user and id. */
  public record Key(long high, long low) {}

  /** Bytes per entry in a snapshot: the key, then when the event was applied. */
  private static final int ENTRY = 24;
  /** Entries per snapshot record. */
  private static final int CHUNK = 64 * 1024;

  private final Cache<Key, Long> applied;
  private final Duration window;

  /** @param window how long an applied event is remembered; @param maxEntries how many at most */
  public DuplicateFilter(Duration window, int maxEntries, Clock clock) {
    this.window = window;
    this.applied = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfter(Expiry.<Key, Long>creating((key, appliedAt) -> remaining(appliedAt, clock)))
        .ticker(new ClockTicker(clock))
        // Maintenance on the caller's thread: no pool to size, and expiry is exact for tests.
        .executor(Runnable::run)
        .build();
  }

  private Duration remaining(long appliedAt, Clock clock) {
    Duration left = window.minusMillis(clock.millis() - appliedAt);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** Whether the event was applied within the window. */
  public boolean seen(Event event) {
    return contains(key(event));
  }

  public boolean contains(Key key) {
    return applied.getIfPresent(key) != null;
  }

  /** Records the event as applied at {@code appliedAt} (epoch millis). */
  public void remember(Key key, long appliedAt) {
    applied.put(key, appliedAt);
  }

  /** Records the event unless it is there already; false when it was (by a concurrent request, maybe). */
  public boolean rememberIfAbsent(Key key, long appliedAt) {
    return applied.asMap().putIfAbsent(key, appliedAt) == null;
  }

  public int size() {
    return (int) applied.estimatedSize();
  }

  public static Key key(Event event) {
    MessageDigest sha256 = SHA256.get();
    // The user id's length first, so that no other (user, id) pair gives the same bytes.
    byte[] user = event.userId().getBytes(StandardCharsets.UTF_8);
    sha256.update((byte) (user.length >>> 24));
    sha256.update((byte) (user.length >>> 16));
    sha256.update((byte) (user.length >>> 8));
    sha256.update((byte) user.length);
    sha256.update(user);
    sha256.update(event.id().getBytes(StandardCharsets.UTF_8));
    byte[] digest = sha256.digest();
    return new Key(longAt(digest, 0), longAt(digest, 8));
  }

  /** One digest per thread: {@code MessageDigest.getInstance} looks the provider up on every call. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  });

  private static long longAt(byte[] bytes, int from) {
    long value = 0;
    for (int i = from; i < from + 8; i++) {
      value = (value << 8) | (bytes[i] & 0xFF);
    }
    return value;
  }

  /** Every entry, for a snapshot, in records of at most {@link #CHUNK} entries. Safe to call from any thread. */
  public void write(Consumer<ByteBuf> records) {
    ByteBuf chunk = Unpooled.buffer(CHUNK * ENTRY);
    for (var entry : applied.asMap().entrySet()) {
      chunk.writeLong(entry.getKey().high()).writeLong(entry.getKey().low()).writeLong(entry.getValue());
      if (chunk.readableBytes() == CHUNK * ENTRY) {
        records.accept(chunk);
        chunk = Unpooled.buffer(CHUNK * ENTRY);
      }
    }
    if (chunk.isReadable()) {
      records.accept(chunk);
    }
  }

  /** Loads one record written by {@link #write}; entries older than the window are not kept. */
  public void load(ByteBuf record) {
    while (record.readableBytes() >= ENTRY) {
      remember(new Key(record.readLong(), record.readLong()), record.readLong());
    }
  }
}
