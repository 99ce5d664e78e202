package io.eventsprocessor.notify;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How full the outbox is, readable from any thread: ingestion refuses new events while it is full, rather
 * than accepting work whose notifications could not be kept.
 */
public final class OutboxGauge {
  private final int capacity;
  private final AtomicInteger queued = new AtomicInteger();

  public OutboxGauge(int capacity) {
    this.capacity = capacity;
  }

  void set(int size) {
    queued.set(size);
  }

  public boolean isFull() {
    return queued.get() >= capacity;
  }

  public int capacity() {
    return capacity;
  }
}
