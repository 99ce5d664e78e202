package io.eventsprocessor.policy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;

/**
 * A user's marks: when each of its notifications reached it (or will, when deferred), by rule, and when it last
 * trained, on its event clock. Caps and "trained today" are counted from them. One {@code long} per mark, the time
 * in epoch millis shifted left by 8 and the rule's index below it, so a user who got two notifications today holds
 * two longs, and one who got none holds nothing. A mark is kept as long as a cap may count it ({@code keep}: a local
 * day, or the longest rolling cap), and the oldest beyond {@link #MOST} go.
 */
public final class Marks {
  public static final long[] NONE = new long[0];
  /** The tag of the training mark (a rule's index is below it). */
  public static final int TRAINED = 255;
  /** The most rules that can be guarded: a rule's index must fit below {@link #TRAINED}. */
  public static final int MOST_RULES = TRAINED;
  /**
   * How long a mark may count for a local day: two instants on one local date, in whatever zone the user is in when
   * they are compared, are less than 25 hours apart (a day with a summer-time change is 25 hours long).
   */
  static final long DAY_KEEP = 26L * 3600 * 1000;
  /** More marks than any sane cap counts; beyond, the oldest go. */
  static final int MOST = 64;

  private Marks() {}

  /** The mark's time, epoch millis of the user's event clock. */
  public static long at(long mark) {
    return mark >> 8;
  }

  /** The index of the rule whose notification it marks, or {@link #TRAINED}. */
  public static int tag(long mark) {
    return (int) (mark & 0xff);
  }

  public static long of(int tag, long at) {
    return (at << 8) | tag;
  }

  /**
   * The marks after the rules were reloaded: a rule's marks follow it to its new index ({@code to}, by old index, -1
   * for a rule removed, whose marks go).
   */
  public static long[] moved(long[] marks, int[] to) {
    if (marks.length == 0) {
      return marks;
    }
    long[] next = new long[marks.length];
    int kept = 0;
    for (long mark : marks) {
      int tag = tag(mark);
      int now = tag == TRAINED ? TRAINED : tag < to.length ? to[tag] : -1;
      if (now >= 0) {
        next[kept++] = of(now, at(mark));
      }
    }
    return kept == 0 ? NONE : Arrays.copyOf(next, kept);
  }

  /** The marks of rule {@code tag} whose local day in {@code zone} is {@code day}; tag -1 counts every rule's. */
  static int onDay(long[] marks, int tag, LocalDate day, ZoneId zone) {
    int count = 0;
    for (long mark : marks) {
      if ((tag < 0 ? tag(mark) != TRAINED : tag(mark) == tag) && day(at(mark), zone).equals(day)) {
        count++;
      }
    }
    return count;
  }

  /** The marks of rule {@code tag} less than {@code period} before or after {@code at}. */
  static int within(long[] marks, int tag, long at, long period) {
    int count = 0;
    for (long mark : marks) {
      if (tag(mark) == tag && Math.abs(at(mark) - at) < period) {
        count++;
      }
    }
    return count;
  }

  /** Whether the user trained on that local day. */
  static boolean trainedOn(long[] marks, LocalDate day, ZoneId zone) {
    for (long mark : marks) {
      if (tag(mark) == TRAINED && day(at(mark), zone).equals(day)) {
        return true;
      }
    }
    return false;
  }

  static LocalDate day(long millis, ZoneId zone) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(millis), zone);
  }

  /** The marks with one more, of rule {@code tag} at {@code at}; a training mark replaces an earlier one. */
  static long[] add(long[] marks, int tag, long at, long keep) {
    long newest = at;
    for (long mark : marks) {
      if (tag == TRAINED && tag(mark) == TRAINED && at(mark) >= at) {
        return marks; // a late training event does not move the mark back
      }
      newest = Math.max(newest, at(mark));
    }
    long[] next = new long[marks.length + 1];
    int kept = 0;
    for (long mark : marks) {
      if (!(tag == TRAINED && tag(mark) == TRAINED) && at(mark) > newest - keep) {
        next[kept++] = mark;
      }
    }
    next[kept++] = of(tag, at);
    next = Arrays.copyOf(next, kept);
    Arrays.sort(next); // by time: the oldest go first
    return next.length > MOST ? Arrays.copyOfRange(next, next.length - MOST, next.length) : next;
  }

  /** The marks still within {@code keep} of {@code now}, epoch millis of the event clock. */
  static long[] forget(long[] marks, long now, long keep) {
    int kept = 0;
    for (long mark : marks) {
      kept += at(mark) > now - keep ? 1 : 0;
    }
    if (kept == marks.length) {
      return marks;
    }
    if (kept == 0) {
      return NONE;
    }
    long[] next = new long[kept];
    int i = 0;
    for (long mark : marks) {
      if (at(mark) > now - keep) {
        next[i++] = mark;
      }
    }
    return next;
  }

  /** When, on the event clock, the last of the marks is forgotten; {@link Long#MAX_VALUE} for none. */
  static long forgetAt(long[] marks, long keep) {
    long newest = Long.MIN_VALUE;
    for (long mark : marks) {
      newest = Math.max(newest, at(mark));
    }
    return marks.length == 0 ? Long.MAX_VALUE : newest + keep;
  }
}
