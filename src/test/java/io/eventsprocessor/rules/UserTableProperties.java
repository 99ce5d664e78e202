package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.rules.RuleSet.UserState;
import io.eventsprocessor.rules.UserTable.Entry;
import io.eventsprocessor.time.DueTimer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The user table finds every user it holds and wakes them in due order, held to a HashMap over random changes. */
class UserTableProperties {
  private static final UserState STATE = new UserState(0, 0, new Object[0], new long[0], null, null,
      io.eventsprocessor.policy.Marks.NONE, io.eventsprocessor.policy.Deferred.NONE);

  /**
   * Sets a user's wake-up ({@code DueTimer.NEVER}: stays with nothing due), or removes it when {@code wakeAt < 0};
   * with {@code hold}, the table is held first, as a snapshot does (and the hold before released).
   */
  record Change(String userId, long wakeAt, boolean hold) {}

  @Provide
  Arbitrary<List<Change>> changes() {
    // "Aa" and "BB" have the same String hash: prefixes built from them collide, so runs of the table are long.
    Arbitrary<String> ids = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 5_000).map(i -> "user-" + i),
        Arbitraries.of("Aa", "BB").list().ofSize(4).map(parts -> String.join("", parts)));
    Arbitrary<Long> wakeAt = Arbitraries.oneOf(Arbitraries.longs().between(-1, 50),
        Arbitraries.just(DueTimer.NEVER));
    Arbitrary<Boolean> hold = Arbitraries.integers().between(0, 99).map(i -> i == 0);
    return Combinators.combine(ids, wakeAt, hold).as(Change::new).list().ofMaxSize(4_000);
  }

  private static void readAndRelease(UserTable.Hold hold, Map<String, Long> then) {
    if (hold == null) {
      return;
    }
    Map<String, Long> read = new HashMap<>();
    UserTable.forEach(hold.entries, entry -> read.put(entry.userId, entry.wakeAt));
    assertThat(read).isEqualTo(then);
    hold.release();
  }

  @Property(tries = 200)
  void holdsWhatAMapHoldsAndWakesInDueOrder(@ForAll("changes") List<Change> changes) {
    UserTable table = new UserTable();
    Map<String, Long> model = new HashMap<>();
    // The hold being "written", with what the model held when it was taken: entries change in place, but not while
    // a hold holds them. Each is read once the next is taken (or at the end), then released.
    UserTable.Hold held = null;
    Map<String, Long> then = null;
    for (Change change : changes) {
      if (change.hold()) {
        readAndRelease(held, then);
        held = table.hold();
        then = new HashMap<>(model);
      }
      Entry before = table.get(change.userId());
      if (change.wakeAt() < 0) {
        if (before != null) {
          table.remove(before);
        }
        model.remove(change.userId());
      } else {
        table.put(before, change.userId(), STATE, change.wakeAt());
        model.put(change.userId(), change.wakeAt());
      }
    }
    readAndRelease(held, then);
    assertThat(table.size()).isEqualTo(model.size());
    model.forEach((userId, wakeAt) -> assertThat(table.get(userId)).isNotNull()
        .extracting(entry -> entry.wakeAt).isEqualTo(wakeAt));
    List<Long> due = new ArrayList<>();
    while (table.firstDue() != null) {
      due.add(table.takeFirstDue().wakeAt);
    }
    assertThat(due).isSorted()
        .containsExactlyInAnyOrderElementsOf(model.values().stream().filter(at -> at != DueTimer.NEVER).toList());
    List<String> copied = new ArrayList<>();
    UserTable.forEach(table.copy(), entry -> copied.add(entry.userId));
    assertThat(copied).containsExactlyInAnyOrderElementsOf(model.keySet());
  }
}
