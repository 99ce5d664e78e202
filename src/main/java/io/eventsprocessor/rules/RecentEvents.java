package io.eventsprocessor.rules;

import io.eventsprocessor.time.DueTimer;
import java.time.Duration;
import java.util.Arrays;

/**
 * The duplicate memory, kept in each user's entry in both modes: the ids of the user's latest events, each with the
 * server time it was applied at, so that a resend (a retry after a lost answer, a batch uploaded twice, a retry
 * after a restart or on another node) is answered "duplicate" and not applied again. The rule: an event is a
 * duplicate when the same user sent the same id at most {@code window} before, and it is among the user's last
 * {@code perUser} events. Costs a field, not a cache lookup: 16 bytes an id, in a flat array of (hash, appliedAt)
 * pairs, oldest first.
 *
 * <p>Ids are kept as a 64-bit hash: within one user's few ids a collision is out of reach by chance, and a user who
 * made one on purpose would only have their own event taken for a resend.
 */
public record RecentEvents(Duration window, int perUser) {
  public static final long[] NONE = new long[0];
  /** The service's defaults: a day, and more than a day of this app's events per user (a day of six sessions is 25). */
  public static final RecentEvents DEFAULT = new RecentEvents(Duration.ofHours(24), 32);

  public RecentEvents {
    if (perUser < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a duplicate memory needs a positive window and at least one id per user");
    }
  }

  /** The id's hash: 64 bits of FNV-1a over its characters, mixed (murmur3's finaliser). */
  public static long hash(String eventId) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < eventId.length(); i++) {
      h = (h ^ eventId.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb34fe1a85ec5L;
    return h ^ (h >>> 33);
  }

  /** Whether the id was applied within the window before {@code realNow}. */
  public boolean contains(long[] recent, long hash, long realNow) {
    long since = realNow - window.toMillis();
    for (int i = 0; i < recent.length; i += 2) {
      if (recent[i] == hash && recent[i + 1] > since) {
        return true;
      }
    }
    return false;
  }

  /** The ids after one more was applied at {@code realNow}: those out of the window go, then the oldest past the cap. */
  public long[] remember(long[] recent, long hash, long realNow) {
    long[] kept = forget(recent, realNow);
    int from = kept.length >= 2 * perUser ? kept.length - 2 * perUser + 2 : 0;
    long[] next = Arrays.copyOfRange(kept, from, kept.length + 2);
    next[next.length - 2] = hash;
    next[next.length - 1] = realNow;
    return next;
  }

  /** The ids still within the window at {@code realNow}. */
  public long[] forget(long[] recent, long realNow) {
    long since = realNow - window.toMillis();
    int first = 0;
    while (first < recent.length && recent[first + 1] <= since) {
      first += 2;
    }
    return first == 0 ? recent : first == recent.length ? NONE : Arrays.copyOfRange(recent, first, recent.length);
  }

  /** When the oldest id leaves the window, in server millis; {@link DueTimer#NEVER} when none is kept. */
  public long forgetAt(long[] recent) {
    return recent.length == 0 ? DueTimer.NEVER : recent[1] + window.toMillis();
  }
}
