package io.eventsprocessor;

import io.eventsprocessor.time.Timers;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A clock and timers that tests move by hand: what happens with time (reminders falling due, expiries, retries) is
 * tested without waiting on the wall clock. {@link #advance} moves the clock from timer to timer and runs each on
 * the context that set it, waiting for it to finish, so that a test sees every effect of the time it let pass.
 */
public final class VirtualTime extends Clock implements Timers {
  private record Timer(long id, long at, Context context, Runnable task) {}

  private volatile Instant now;
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(Comparator.comparingLong(Timer::at).thenComparingLong(Timer::id));
  private long nextId;

  public VirtualTime(Instant start) {
    this.now = start;
  }

  /** Lets {@code duration} pass: every timer due meanwhile runs, in order, at its own time. */
  public void advance(Duration duration) {
    Instant target = now.plus(duration);
    Timer next;
    while ((next = nextDueBy(target.toEpochMilli())) != null) {
      if (next.at() > now.toEpochMilli()) {
        now = Instant.ofEpochMilli(next.at());
      }
      run(next);
    }
    now = target;
  }

  private synchronized Timer nextDueBy(long millis) {
    Timer first = timers.peek();
    return first != null && first.at() <= millis ? timers.poll() : null;
  }

  private static void run(Timer timer) {
    if (timer.context() == null) {
      timer.task().run();
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    timer.context().runOnContext(v -> {
      try {
        timer.task().run();
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("a timer's task failed", e);
    }
  }

  /** Timers waiting. */
  public synchronized int pending() {
    return timers.size();
  }

  /** A timer due now runs at once, on its context's next turn, as Vert.x would run it; a later one waits. */
  @Override
  public synchronized long set(long delayMillis, Runnable task) {
    long id = nextId++;
    Timer timer = new Timer(id, now.toEpochMilli() + Math.max(0, delayMillis), Vertx.currentContext(), task);
    timers.add(timer);
    if (delayMillis <= 0 && timer.context() != null) {
      timer.context().runOnContext(v -> {
        if (remove(timer)) {
          task.run();
        }
      });
    }
    return id;
  }

  private synchronized boolean remove(Timer timer) {
    return timers.remove(timer);
  }

  @Override
  public synchronized void cancel(long id) {
    timers.removeIf(t -> t.id() == id);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
