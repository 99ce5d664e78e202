package io.eventsprocessor.rules;

import io.eventsprocessor.policy.Deferred;
import io.eventsprocessor.policy.Marks;
import io.eventsprocessor.rules.RuleSet.UserState;
import io.eventsprocessor.time.DueTimer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The users of one node, sized for millions: an open-addressing table of entries by user id (a slot of 4 bytes per
 * user instead of a hash map's node), and the same entries as a binary heap of wake-ups, ordered by due time (each
 * entry knows its place in it, so that one replaced or removed is found at once). Used from one thread; only a
 * {@link Hold} is read and released on others.
 */
final class UserTable {
  private static final int MIN_CAPACITY = 1024;

  /**
   * A user's state, kept flat (the clock's two instants inline), and the server time of its one wake-up
   * ({@link DueTimer#NEVER} when none). Changed in place by the user's next step, so that a user's events replace
   * only what the rules made anew (the families' states) and not the entry, its arrays and its id: at a steady load
   * each replaced object ends in the old generation, and the fewer there are, the rarer the full collections that
   * set the p99. While a snapshot being written holds the entry ({@link UserTable#hold}), it is frozen: a change
   * replaces it. Its arrays never leave it: {@link #state()} hands out copies.
   */
  static final class Entry {
    final String userId;
    /** How many holds of the table were taken before the entry was made: a later hold may hold it. */
    final int generation;
    long clockEventMillis;
    long clockRealMillis;
    Object[] states;
    /** The user's recent ids in its first {@link #recentCount} places. */
    long[] recent = RecentEvents.NONE;
    int recentCount;
    String timeZone;
    String locale;
    /**
     * The user's marks and deferred notifications in one field, so the entry stays small: null for neither (most
     * users), the marks' {@code long[]} when nothing is deferred, or a {@code Deferred[]} preceded by the marks in an
     * {@code Object[]}.
     */
    Object guarded;
    long wakeAt;
    int slot = -1;

    Entry(String userId, UserState state, long wakeAt, int generation) {
      this.userId = userId;
      this.generation = generation;
      set(state, wakeAt);
    }

    private void set(UserState state, long wakeAt) {
      clockEventMillis = state.clockEventMillis();
      clockRealMillis = state.clockRealMillis();
      Object[] nextStates = state.states();
      if (states != null && states.length == nextStates.length) {
        System.arraycopy(nextStates, 0, states, 0, nextStates.length);
      } else {
        states = nextStates.clone();
      }
      long[] nextRecent = state.recent();
      if (nextRecent.length > recent.length) {
        recent = new long[capacity(nextRecent.length)];
      }
      System.arraycopy(nextRecent, 0, recent, 0, nextRecent.length);
      recentCount = nextRecent.length;
      timeZone = state.timeZone();
      locale = state.locale();
      guarded = state.deferred().length > 0 ? new Object[] {state.marks(), state.deferred()}
          : state.marks().length > 0 ? state.marks() : null;
      this.wakeAt = wakeAt;
    }

    /**
     * Room for {@code ids} recent ids and a few more: a user's memory grows an id an event up to its cap, and
     * growing by steps makes a handful of arrays on the way instead of one per event. Exact up to two ids, the
     * size of most idle users' memory.
     */
    private static int capacity(int ids) {
      return ids <= 2 ? ids : Math.min(2 * ids, ids + 8);
    }

    /** The user's state, in arrays of its own: what the entry holds changes with the user's next step. */
    UserState state() {
      return state(states.clone(), recentCount == 0 ? RecentEvents.NONE : Arrays.copyOf(recent, recentCount));
    }

    /**
     * The user's state in the entry's own arrays where it can: to be read at once and let go, before the user's
     * next step changes them (an event's duplicate check, the count of users per family).
     */
    UserState view() {
      return state(states, recentCount == recent.length ? recent : Arrays.copyOf(recent, recentCount));
    }

    private UserState state(Object[] states, long[] recent) {
      return new UserState(clockEventMillis, clockRealMillis, states, recent, timeZone, locale,
          guarded instanceof long[] marks ? marks : guarded instanceof Object[] both ? (long[]) both[0] : Marks.NONE,
          guarded instanceof Object[] both ? (Deferred[]) both[1] : Deferred.NONE);
    }
  }

  // Linear probing; the capacity is a power of two, at most three quarters full.
  private Entry[] table = new Entry[MIN_CAPACITY];
  private int size;
  private final WakeUps wakeUps = new WakeUps();
  /** Holds taken so far: the generation of the entries made now. */
  private int generation;
  /** The holds not released yet, oldest first (one at a time, as snapshots are written). */
  private final ArrayDeque<Hold> holds = new ArrayDeque<>();

  int size() {
    return size;
  }

  Entry get(String userId) {
    int mask = table.length - 1;
    for (int i = index(userId, mask); table[i] != null; i = (i + 1) & mask) {
      if (table[i].userId.equals(userId)) {
        return table[i];
      }
    }
    return null;
  }

  /**
   * Stores the user's new state and wake-up: in its entry {@code before} when no hold not yet released holds it,
   * otherwise in a new entry in its place (or the user's first, when {@code before} is null).
   */
  void put(Entry before, String userId, UserState state, long wakeAt) {
    if (before != null && before.generation >= frozenBelow()) {
      before.set(state, wakeAt);
      wakeUps.rescheduled(before);
      return;
    }
    Entry after = new Entry(userId, state, wakeAt, generation);
    if (before == null) {
      if (size + 1 > table.length / 4 * 3) {
        resize(table.length * 2);
      }
      insert(table, after);
      size++;
    } else {
      table[find(before)] = after;
    }
    wakeUps.replace(before, after);
  }

  void remove(Entry entry) {
    wakeUps.remove(entry);
    int mask = table.length - 1;
    int hole = find(entry);
    table[hole] = null;
    size--;
    // Backward-shift deletion: move up every later entry of the run that the hole would hide from its lookup.
    for (int i = (hole + 1) & mask; table[i] != null; i = (i + 1) & mask) {
      int home = index(table[i].userId, mask);
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        table[hole] = table[i];
        table[i] = null;
        hole = i;
      }
    }
  }

  /** The entry due first, or null when none is due. */
  Entry firstDue() {
    return wakeUps.first();
  }

  /** Takes the first due entry out of the wake-ups (it stays in the table, now due never). */
  Entry takeFirstDue() {
    Entry first = wakeUps.first();
    wakeUps.remove(first);
    return first;
  }

  /** A copy of the table as it stands, to be read on this thread at once. */
  Entry[] copy() {
    return table.clone();
  }

  /**
   * A copy of the table as it stands, to be read on any thread (a snapshot written elsewhere): its entries stay as
   * they are until it is released (a change replaces them meanwhile), so it reads the users as they are now.
   */
  Hold hold() {
    Hold hold = new Hold(table.clone(), ++generation);
    holds.add(hold);
    return hold;
  }

  /** The generation below which entries are frozen: the newest hold not released, if any. */
  private int frozenBelow() {
    holds.removeIf(hold -> hold.released);
    return holds.isEmpty() ? Integer.MIN_VALUE : holds.peekLast().generation;
  }

  /** A copy of the table being read elsewhere; released (on any thread) once read, or abandoned. */
  static final class Hold {
    final Entry[] entries;
    private final int generation;
    private volatile boolean released;

    private Hold(Entry[] entries, int generation) {
      this.entries = entries;
      this.generation = generation;
    }

    /** The entries are read: the table may change them in place again. Releasing again does nothing. */
    void release() {
      released = true;
    }
  }

  static void forEach(Entry[] copy, Consumer<Entry> action) {
    for (Entry entry : copy) {
      if (entry != null) {
        action.accept(entry);
      }
    }
  }

  private int find(Entry entry) {
    int mask = table.length - 1;
    int i = index(entry.userId, mask);
    while (table[i] != entry) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private void resize(int capacity) {
    Entry[] next = new Entry[capacity];
    for (Entry entry : table) {
      if (entry != null) {
        insert(next, entry);
      }
    }
    table = next;
  }

  private static void insert(Entry[] into, Entry entry) {
    int mask = into.length - 1;
    int i = index(entry.userId, mask);
    while (into[i] != null) {
      i = (i + 1) & mask;
    }
    into[i] = entry;
  }

  private static int index(String userId, int mask) {
    int h = userId.hashCode() * 0x9E3779B9; // spreads the String hash's low bits, which ids that differ at the end share
    return (h ^ (h >>> 16)) & mask;
  }

  /** The entries that are due some time, smallest due time first. Exactly one wake-up per user. */
  private static final class WakeUps {
    private Entry[] heap = new Entry[MIN_CAPACITY];
    private int size;

    Entry first() {
      return size == 0 ? null : heap[0];
    }

    /** Puts {@code after} where {@code before} was (or adds it), or drops {@code before} when after is not due. */
    void replace(Entry before, Entry after) {
      if (before != null && before.slot >= 0) {
        after.slot = before.slot;
        before.slot = -1;
        heap[after.slot] = after;
      }
      rescheduled(after);
    }

    /** Moves the entry to its place for its new due time (adds it, or drops it when it is not due). */
    void rescheduled(Entry entry) {
      boolean due = entry.wakeAt != DueTimer.NEVER;
      if (entry.slot < 0) {
        if (due) {
          add(entry);
        }
      } else if (!due) {
        remove(entry);
      } else {
        siftUp(entry.slot);
        siftDown(entry.slot);
      }
    }

    void remove(Entry entry) {
      if (entry == null || entry.slot < 0) {
        return;
      }
      int slot = entry.slot;
      entry.slot = -1;
      Entry last = heap[--size];
      heap[size] = null;
      if (slot < size) {
        heap[slot] = last;
        last.slot = slot;
        siftUp(slot);
        siftDown(last.slot);
      }
    }

    private void add(Entry entry) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      heap[size] = entry;
      entry.slot = size++;
      siftUp(entry.slot);
    }

    private void siftUp(int slot) {
      Entry entry = heap[slot];
      while (slot > 0) {
        int parent = (slot - 1) / 2;
        if (heap[parent].wakeAt <= entry.wakeAt) {
          break;
        }
        place(heap[parent], slot);
        slot = parent;
      }
      place(entry, slot);
    }

    private void siftDown(int slot) {
      Entry entry = heap[slot];
      while (true) {
        int child = 2 * slot + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && heap[child + 1].wakeAt < heap[child].wakeAt) {
          child++;
        }
        if (entry.wakeAt <= heap[child].wakeAt) {
          break;
        }
        place(heap[child], slot);
        slot = child;
      }
      place(entry, slot);
    }

    private void place(Entry entry, int slot) {
      heap[slot] = entry;
      entry.slot = slot;
    }
  }
}
