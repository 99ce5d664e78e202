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

  /** Sets a user's wake-up ({@code DueTimer.NEVER}: stays with nothing due), or removes it when {@code wakeAt < 0}. */
  record Change(String userId, long wakeAt) {}

  @Provide
  Arbitrary<List<Change>> changes() {
    // "Aa" and "BB" have the same String hash: prefixes built from them collide, so runs of the table are long.
    Arbitrary<String> ids = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 5_000).map(i -> "user-" + i),
        Arbitraries.of("Aa", "BB").list().ofSize(4).map(parts -> String.join("", parts)));
    Arbitrary<Long> wakeAt = Arbitraries.oneOf(Arbitraries.longs().between(-1, 50),
        Arbitraries.just(DueTimer.NEVER));
    return Combinators.combine(ids, wakeAt).as(Change::new).list().ofMaxSize(4_000);
  }

  @Property(tries = 200)
  void holdsWhatAMapHoldsAndWakesInDueOrder(@ForAll("changes") List<Change> changes) {
    UserTable table = new UserTable();
    Map<String, Long> model = new HashMap<>();
    for (Change change : changes) {
      Entry before = table.get(change.userId());
      if (change.wakeAt() < 0) {
        if (before != null) {
          table.remove(before);
        }
        model.remove(change.userId());
      } else {
        table.replace(before, new Entry(change.userId(), STATE, change.wakeAt()));
        model.put(change.userId(), change.wakeAt());
      }
    }
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
