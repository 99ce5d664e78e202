package io.eventsprocessor.time;

import io.vertx.core.Vertx;

/**
 * One-shot timers, as the shell sets them: Vert.x's own in the service, a virtual clock's in tests, so that what
 * happens with time (reminders falling due, retries, expiries) is tested without waiting on the wall clock. A task
 * runs on the context that set it.
 */
public interface Timers {

  /**
   * Runs {@code task} once, {@code delayMillis} from now; zero or less means as soon as possible, but never before
   * the caller returns. Returns an id for {@link #cancel}.
   */
  long set(long delayMillis, Runnable task);

  void cancel(long id);

  static Timers of(Vertx vertx) {
    return new Timers() {
      @Override
      public long set(long delayMillis, Runnable task) {
        return vertx.setTimer(Math.max(1, delayMillis), id -> task.run());
      }

      @Override
      public void cancel(long id) {
        vertx.cancelTimer(id);
      }
    };
  }
}
