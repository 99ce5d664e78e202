package io.eventsprocessor.handler;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventAddresses;
import io.eventsprocessor.event.EventJson;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.state.StateFile;
import io.eventsprocessor.state.StateSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around one {@link UserRules} family: consumes the event types the rules declare, keeps each
 * user's state and event clock, sends the notifications the rules decide on, and wakes the rules when a
 * user's clock reaches the next due time. One timer serves all users: it is armed for the earliest due time.
 * The state is saved to its file periodically and on stop, and loaded back on start.
 */
public final class RulesVerticle<S> extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RulesVerticle.class);
  private static final long NOT_SCHEDULED = Long.MAX_VALUE;

  /** A user's state with the clock that judges it and the server time of its one live wake-up. */
  private record Entry<S>(S state, UserClock clock, long wakeAt) {}

  /** A wake-up; each user with something due has exactly one, the time its entry names. */
  private record WakeUp(long at, String userId) {}

  private final String name;
  private final UserRules<S> rules;
  private final StateCodec<S> codec;
  private final Clock clock;
  private final StateSettings stateSettings;
  private final UserStateStore<Entry<S>> users = new InMemoryUserStateStore<>();
  private final NavigableSet<WakeUp> wakeUps =
      new TreeSet<>(Comparator.comparingLong(WakeUp::at).thenComparing(WakeUp::userId));
  private long timerId = -1;
  private long timerAt = NOT_SCHEDULED;
  private StateFile stateFile;
  private long snapshotTimer = -1;
  private boolean changed;

  public RulesVerticle(String name, UserRules<S> rules, StateCodec<S> codec, Clock clock, StateSettings stateSettings) {
    this.name = name;
    this.rules = rules;
    this.codec = codec;
    this.clock = clock;
    this.stateSettings = stateSettings;
  }

  /** The rule family's name: its state file's and its log lines'. */
  public String name() {
    return name;
  }

  public List<EventSchema> schemas() {
    return rules.schemas();
  }

  @Override
  public Future<?> start() {
    stateFile = new StateFile(vertx, stateSettings.dir(), name);
    return stateFile.read().compose(saved -> {
      try {
        restore(saved);
      } catch (RuntimeException e) {
        return Future.failedFuture(stateFile.unreadable(e.toString()));
      }
      snapshotTimer = vertx.setPeriodic(stateSettings.snapshotInterval().toMillis(), id -> snapshot());
      List<Future<Void>> registered = rules.schemas().stream()
          .map(schema -> vertx.eventBus().<JsonObject>localConsumer(EventAddresses.forType(schema.type()), this::onEvent))
          .map(MessageConsumer::completion)
          .toList();
      return Future.all(registered);
    });
  }

  /** Runs once no event can arrive any more (the HTTP edge stops first): saves what the users have pending. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(snapshotTimer);
    changed = true;
    return snapshot().onSuccess(v -> LOG.info("{}: saved {} user(s) to {}", name, users.size(), stateFile.path()));
  }

  private void onEvent(Message<JsonObject> message) {
    Event event = EventJson.fromJson(message.body());
    long realNow = clock.millis();
    Entry<S> entry = users.get(event.userId());
    UserClock userClock = entry == null
        ? UserClock.startingAt(event.occurredAt(), realNow)
        : entry.clock().observe(event.occurredAt(), realNow);
    Outcome<S> outcome = rules.apply(entry == null ? null : entry.state(), event);
    log(event.userId(), "event " + event.id() + " (" + event.type() + ")", outcome);
    commit(event.userId(), entry == null ? NOT_SCHEDULED : entry.wakeAt(), userClock, outcome);
  }

  private void wakeUp(String userId) {
    Entry<S> entry = users.get(userId);
    Instant now = entry.clock().now(clock.millis());
    Outcome<S> outcome = rules.tick(userId, entry.state(), now);
    log(userId, "clock " + now, outcome);
    commit(userId, NOT_SCHEDULED, entry.clock(), outcome);
  }

  /** @param wakeAt the server time of the user's wake-up in the set, or NOT_SCHEDULED */
  private void commit(String userId, long wakeAt, UserClock userClock, Outcome<S> outcome) {
    for (Notification notification : outcome.notifications()) {
      vertx.eventBus().send(EventAddresses.NOTIFICATIONS, notification.toJson());
    }
    changed = true;
    Instant due = outcome.state() == null ? null : rules.nextDue(outcome.state());
    long nextWakeAt = due == null ? NOT_SCHEDULED : userClock.realTimeOf(due);
    if (nextWakeAt != wakeAt) {
      // Exactly one wake-up per user: the set holds no stale ones, whatever the traffic.
      if (wakeAt != NOT_SCHEDULED) {
        wakeUps.remove(new WakeUp(wakeAt, userId));
      }
      if (nextWakeAt != NOT_SCHEDULED) {
        wakeUps.add(new WakeUp(nextWakeAt, userId));
        armTimer(clock.millis());
      }
    }
    users.put(userId, outcome.state() == null ? null : new Entry<>(outcome.state(), userClock, nextWakeAt));
  }

  /** Keeps the one timer set for the earliest wake-up. */
  private void armTimer(long realNow) {
    WakeUp next = wakeUps.isEmpty() ? null : wakeUps.first();
    if (next == null || next.at() >= timerAt) {
      return;
    }
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    timerAt = next.at();
    timerId = vertx.setTimer(Math.max(1, timerAt - realNow), id -> onTimer());
  }

  private void onTimer() {
    timerId = -1;
    timerAt = NOT_SCHEDULED;
    long realNow = clock.millis();
    // Take the due ones out first: what a wake-up schedules anew waits for the next timer.
    List<WakeUp> due = new ArrayList<>();
    while (!wakeUps.isEmpty() && wakeUps.first().at() <= realNow) {
      due.add(wakeUps.pollFirst());
    }
    for (WakeUp wakeUp : due) {
      wakeUp(wakeUp.userId());
    }
    armTimer(clock.millis());
  }

  private Future<Void> snapshot() {
    if (!changed) {
      return Future.succeededFuture();
    }
    changed = false;
    // Entries are immutable: a copy of the map is a consistent snapshot, encoded off the event loop.
    Map<String, Entry<S>> copy = users.copy();
    return stateFile.write(() -> {
          JsonObject saved = new JsonObject();
          copy.forEach((userId, entry) -> saved.put(userId, new JsonObject()
              .put("clock", new JsonObject().put("event", entry.clock().eventMillis()).put("real", entry.clock().realMillis()))
              .put("state", codec.encode(entry.state()))));
          return new JsonObject().put("users", saved);
        })
        .onFailure(e -> {
          changed = true;
          LOG.error("{}: could not save the state to {}: {}", name, stateFile.path(), e.toString());
        });
  }

  /** Loads saved users and re-arms their wake-ups; what fell due while the service was down is due at once. */
  private void restore(JsonObject saved) {
    if (saved == null) {
      return;
    }
    saved.getJsonObject("users").forEach(field -> {
      JsonObject user = (JsonObject) field.getValue();
      JsonObject savedClock = user.getJsonObject("clock");
      UserClock userClock = new UserClock(savedClock.getLong("event"), savedClock.getLong("real"));
      S state = codec.decode(user.getJsonObject("state"));
      commit(field.getKey(), NOT_SCHEDULED, userClock, new Outcome<>(state, List.of(), "restored", false));
    });
    LOG.info("{}: restored {} user(s) from {}", name, users.size(), stateFile.path());
  }

  /** Users with state; read from another thread it is an estimate (for benchmarks and metrics). */
  public int trackedUsers() {
    return users.size();
  }

  private void log(String userId, String cause, Outcome<S> outcome) {
    if (outcome.notable()) {
      LOG.info("{}: user {}, {}: {}", name, userId, cause, outcome.decision());
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("{}: user {}, {}: {}", name, userId, cause, outcome.decision());
    }
  }
}
