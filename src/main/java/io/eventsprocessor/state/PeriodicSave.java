package io.eventsprocessor.state;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves one part's state to its file every interval when it changed, and once more when the part stops. Used from
 * the part's context: {@code capture} runs there and returns what builds the JSON, which runs on a worker thread
 * (so it may only read immutable data, such as a copy of a map of immutable entries).
 */
public final class PeriodicSave {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicSave.class);

  private final Vertx vertx;
  private final StateFile file;
  private final Duration interval;
  private final Supplier<Supplier<JsonObject>> capture;
  private long timer = -1;
  private boolean changed;

  public PeriodicSave(Vertx vertx, StateFile file, Duration interval, Supplier<Supplier<JsonObject>> capture) {
    this.vertx = vertx;
    this.file = file;
    this.interval = interval;
    this.capture = capture;
  }

  public void start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> save());
  }

  /** Something changed since the last save. */
  public void changed() {
    changed = true;
  }

  /** The last save, whatever changed. */
  public Future<Void> stop() {
    vertx.cancelTimer(timer);
    changed = true;
    return save();
  }

  private Future<Void> save() {
    if (!changed) {
      return Future.succeededFuture();
    }
    changed = false;
    return file.write(capture.get()).onFailure(e -> {
      changed = true;
      LOG.error("could not save the state to {}: {}", file.path(), e.toString());
    });
  }
}
