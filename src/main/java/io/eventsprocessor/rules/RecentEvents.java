package io.eventsprocessor.rules;

import io.eventsprocessor.time.DueTimer;
import java.time.Duration;
import java.util.Arrays;

/**
 * The duplicate memory, kept in each user's entry in both modes: the ids of the user's latest events, each with the
 * server time it was applied at, so that a resend (a retry after a lost answer, a batch uploaded twice, a retry
 * after a restart or on another node) is answered "duplicate" and not applied again. The rule: an event is a
 * duplicate when the same user sent the same id less than {@code window} before (to the second), and it is among the
 * user's last {@code perUser} events. Costs a field, not a cache lookup: 8 bytes an id, oldest first.
 *
 * <p>An id is one {@code long}: the top 40 bits of a 64-bit hash of the id, and the second it was applied at modulo
 * 2^24 (194 days, far more than the longest window, {@link #LONGEST_WINDOW}, so an age is never ambiguous). Within
 * one user's 32 ids a false match is a chance of 32 in 2^40 per event (once in about 25 days at 16,000 events a
 * second, all users together), and a user who made one on purpose would only have their own event taken for a resend.
 * A user's whole memory is 256 bytes where pairs of longs took 512: with 200,000 active users that is 50 MB of live
 * heap the collector no longer walks.
 */
public record RecentEvents(Duration window, int perUser) {
  public static final long[] NONE = new long[0];
  /** The longest window an id's time can tell (its 24 bits of seconds wrap after 194 days). */
  public static final Duration LONGEST_WINDOW = Duration.ofDays(30);
  /** The service's defaults: a day, and more than a day of this app's events per user (a day of six sessions is 25). */
  public static final RecentEvents DEFAULT = new RecentEvents(Duration.ofHours(24), 32);
  private static final int TIME_BITS = 24;
  private static final long TIME_MASK = (1L << TIME_BITS) - 1;

  public RecentEvents {
    if (perUser < 1 || window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(LONGEST_WINDOW) > 0) {
      throw new IllegalArgumentException("a duplicate memory needs a window from 1 s to " + LONGEST_WINDOW
          + " and at least one id per user");
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

  /** An id as kept: its hash's top bits and the second it was applied at. */
  static long entry(long hash, long realNow) {
    return (hash & ~TIME_MASK) | (Math.floorDiv(realNow, 1000) & TIME_MASK);
  }

  /** Seconds since the entry's id was applied. */
  private static long age(long entry, long realNow) {
    return (Math.floorDiv(realNow, 1000) - (entry & TIME_MASK)) & TIME_MASK;
  }

  private boolean within(long entry, long realNow) {
    return age(entry, realNow) < window.toSeconds();
  }

  /** Whether the id was applied within the window before {@code realNow}. */
  public boolean contains(long[] recent, long hash, long realNow) {
    long id = hash & ~TIME_MASK;
    for (long entry : recent) {
      if ((entry & ~TIME_MASK) == id && within(entry, realNow)) {
        return true;
      }
    }
    return false;
  }

  /** The ids after one more was applied at {@code realNow}: those out of the window go, then the oldest past the cap. */
  public long[] remember(long[] recent, long hash, long realNow) {
    long[] kept = forget(recent, realNow);
    int from = kept.length >= perUser ? kept.length - perUser + 1 : 0;
    long[] next = Arrays.copyOfRange(kept, from, kept.length + 1);
    next[next.length - 1] = entry(hash, realNow);
    return next;
  }

  /** The ids still within the window at {@code realNow}. */
  public long[] forget(long[] recent, long realNow) {
    int first = 0;
    while (first < recent.length && !within(recent[first], realNow)) {
      first++;
    }
    return first == 0 ? recent : first == recent.length ? NONE : Arrays.copyOfRange(recent, first, recent.length);
  }

  /**
   * When the oldest id leaves the window, in server millis; {@link DueTimer#NEVER} when none is kept.
   *
   * @param realNow a time at which the ids are within the window (their times are kept modulo 2^24 seconds)
   */
  public long forgetAt(long[] recent, long realNow) {
    if (recent.length == 0) {
      return DueTimer.NEVER;
    }
    long appliedSecond = Math.floorDiv(realNow, 1000) - age(recent[0], realNow);
    return (appliedSecond + window.toSeconds()) * 1000;
  }

  /** A memory saved as (hash, appliedAt millis) pairs, before ids were one long each. */
  public static long[] fromPairs(long[] pairs) {
    long[] recent = new long[pairs.length / 2];
    for (int i = 0; i < recent.length; i++) {
      recent[i] = entry(pairs[2 * i], pairs[2 * i + 1]);
    }
    return recent.length == 0 ? NONE : recent;
  }
}
