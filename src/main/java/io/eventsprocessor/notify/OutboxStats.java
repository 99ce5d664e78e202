package io.eventsprocessor.notify;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The outbox as other threads may see it: how full it is (ingestion refuses new events while it is full,
 * rather than accepting work whose notifications could not be kept) and what became of the attempts.
 */
public final class OutboxStats {
  private final int capacity;
  private final AtomicInteger queued = new AtomicInteger();
  final LongAdder received = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  private volatile DeliveryObserver observer = DeliveryObserver.NONE;

  public OutboxStats(int capacity) {
    this.capacity = capacity;
  }

  /** Who hears of each notification's fate (the metrics); set before the outbox starts. */
  public void observe(DeliveryObserver observer) {
    this.observer = observer;
  }

  DeliveryObserver observer() {
    return observer;
  }

  void set(int size) {
    queued.set(size);
  }

  public boolean isFull() {
    return queued.get() >= capacity;
  }

  /** Why events are refused for the outbox (readiness's {@code outbox} check), or null when they are not. */
  public String whyFull() {
    return isFull() ? "The notification outbox is full (" + capacity + " waiting)" : null;
  }

  public int capacity() {
    return capacity;
  }

  /** Notifications waiting, in flight included. */
  public int queued() {
    return queued.get();
  }

  /** Notifications the rules handed over, those refused as repeats included. */
  public long received() {
    return received.sum();
  }

  /** Notifications the receiver accepted. */
  public long delivered() {
    return delivered.sum();
  }

  /** Failed attempts that will be made again. */
  public long retried() {
    return retried.sum();
  }

  /** Notifications that became dead letters. */
  public long deadLettered() {
    return deadLettered.sum();
  }
}
