package io.eventsprocessor.rules;

import io.eventsprocessor.event.EventAddresses;
import io.eventsprocessor.event.EventJson;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.state.PeriodicSave;
import io.eventsprocessor.state.StateFile;
import io.eventsprocessor.state.StateSettings;
import io.eventsprocessor.time.DueTimer;
import io.eventsprocessor.time.Timers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around the {@link RuleEngine}: consumes the address of every type a registered family declares, sends
 * the notifications the families decide on to the outbox, keeps one timer armed for the earliest user due, and
 * saves the users' state to {@code rules.json} periodically and on stop. Deployed once per process: it owns the
 * users' state, so every event must reach this one instance.
 */
public final class RulesVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RulesVerticle.class);
  /** The state file's name in the state directory. */
  public static final String STATE = "rules";

  private final RuleEngine engine;
  private final Clock clock;
  private final Timers timers;
  private final StateSettings stateSettings;
  private DueTimer dueTimer;
  private StateFile stateFile;
  private PeriodicSave saving;

  /** @param timers the timers to wake users with; null for Vert.x's own */
  public RulesVerticle(RuleEngine engine, Clock clock, Timers timers, StateSettings stateSettings) {
    this.engine = engine;
    this.clock = clock;
    this.timers = timers;
    this.stateSettings = stateSettings;
  }

  @Override
  public Future<?> start() {
    dueTimer = new DueTimer(timers == null ? Timers.of(vertx) : timers, clock, this::onDue);
    stateFile = new StateFile(vertx, stateSettings.dir(), STATE);
    return stateFile.read().compose(saved -> {
      if (saved != null) {
        try {
          engine.restore(saved, clock.millis());
        } catch (RuntimeException e) {
          return Future.failedFuture(stateFile.unreadable(e.toString()));
        }
        LOG.info("rules: restored {} user(s) from {}", engine.users(), stateFile.path());
      }
      saving = new PeriodicSave(vertx, stateFile, stateSettings.snapshotInterval(), () -> engine.snapshot()::encode);
      saving.start();
      dueTimer.require(engine.nextWakeAt());
      List<Future<Void>> registered = engine.types().stream()
          .map(type -> vertx.eventBus().<JsonObject>localConsumer(EventAddresses.forType(type), this::onEvent))
          .map(MessageConsumer::completion)
          .toList();
      return Future.all(registered);
    });
  }

  /** Runs once no event can arrive any more (the HTTP edge stops first): saves what the users have pending. */
  @Override
  public Future<?> stop() {
    dueTimer.cancel();
    int users = engine.users();
    return saving.stop().onSuccess(v -> LOG.info("rules: saved {} user(s) to {}", users, stateFile.path()));
  }

  private void onEvent(Message<JsonObject> message) {
    send(engine.apply(EventJson.fromJson(message.body()), clock.millis()));
  }

  private void onDue() {
    send(engine.wakeUp(clock.millis()));
  }

  private void send(List<Notification> notifications) {
    for (Notification notification : notifications) {
      vertx.eventBus().send(EventAddresses.NOTIFICATIONS, notification.toJson());
    }
    saving.changed();
    dueTimer.require(engine.nextWakeAt());
  }
}
