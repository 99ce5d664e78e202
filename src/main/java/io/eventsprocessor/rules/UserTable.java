package io.eventsprocessor.rules;

import io.eventsprocessor.policy.Deferred;
import io.eventsprocessor.policy.Marks;
import io.eventsprocessor.rules.RuleSet.UserState;
import io.eventsprocessor.time.DueTimer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The users of one node, sized for millions: an open-addressing table of entries by user id (a slot of 4 bytes per
 * user instead of a hash map's node), and the same entries as a binary heap of wake-ups, ordered by due time (each
 * entry knows its place in it, so that one replaced or removed is found at once). Used from one thread.
 */
final class UserTable {
  private static final int MIN_CAPACITY = 1024;

  /**
   * A user's state, kept flat (the clock's two instants inline), and the server time of its one wake-up
   * ({@link DueTimer#NEVER} when none). Replaced on every change, so a copy of the table is a consistent snapshot;
   * {@code slot}, its place in the heap of wake-ups (-1 when it has none), is the only thing that changes in it.
   */
  static final class Entry {
    final String userId;
    final long clockEventMillis;
    final long clockRealMillis;
    final Object[] states;
    final long[] recent;
    final String timeZone;
    final String locale;
    /**
     * The user's marks and deferred notifications in one field, so the entry stays 64 bytes: null for neither (most
     * users), the marks' {@code long[]} when nothing is deferred, or a {@code Deferred[]} preceded by the marks in an
     * {@code Object[]}.
     */
    final Object guarded;
    final long wakeAt;
    int slot = -1;

    Entry(String userId, UserState state, long wakeAt) {
      this.userId = userId;
      this.clockEventMillis = state.clockEventMillis();
      this.clockRealMillis = state.clockRealMillis();
      this.states = state.states();
      this.recent = state.recent();
      this.timeZone = state.timeZone();
      this.locale = state.locale();
      this.guarded = state.deferred().length > 0 ? new Object[] {state.marks(), state.deferred()}
          : state.marks().length > 0 ? state.marks() : null;
      this.wakeAt = wakeAt;
    }

    UserState state() {
      return new UserState(clockEventMillis, clockRealMillis, states, recent, timeZone, locale,
          guarded instanceof long[] marks ? marks : guarded instanceof Object[] both ? (long[]) both[0] : Marks.NONE,
          guarded instanceof Object[] both ? (Deferred[]) both[1] : Deferred.NONE);
    }
  }

  // Linear probing; the capacity is a power of two, at most three quarters full.
  private Entry[] table = new Entry[MIN_CAPACITY];
  private int size;
  private final WakeUps wakeUps = new WakeUps();

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

  /** Puts {@code after} in place of {@code before} (the user's current entry, or null when it has none). */
  void replace(Entry before, Entry after) {
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

  /** A copy of the table as it stands; its entries are immutable in what a snapshot reads. */
  Entry[] copy() {
    return table.clone();
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
      boolean due = after.wakeAt != DueTimer.NEVER;
      if (before == null || before.slot < 0) {
        if (due) {
          add(after);
        }
      } else if (!due) {
        remove(before);
      } else {
        after.slot = before.slot;
        before.slot = -1;
        heap[after.slot] = after;
        siftUp(after.slot);
        siftDown(after.slot);
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
