package io.eventsprocessor.ingest;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the HTTP edges may hold at once, over every edge of the process: connections, and bytes of request bodies
 * read and not yet answered. Each is a share of the heap (see the README, "Memory budgets"): beyond them, slow or
 * many clients would put the heap at risk, so a connection over the cap is closed at once and a body over the
 * bytes is answered 503.
 */
public final class Capacity {
  private final int maxConnections;
  private final long maxBodyBytes;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong bodyBytes = new AtomicLong();

  public Capacity(int maxConnections, long maxBodyBytes) {
    this.maxConnections = maxConnections;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Counts a new connection in; false, counting nothing, when there are as many as the cap already. */
  boolean openConnection() {
    while (true) {
      int open = connections.get();
      if (open >= maxConnections) {
        return false;
      }
      if (connections.compareAndSet(open, open + 1)) {
        return true;
      }
    }
  }

  void closeConnection() {
    connections.decrementAndGet();
  }

  /** Takes {@code bytes} of the bodies' budget; false, taking nothing, when they do not fit now. */
  boolean takeBodyBytes(long bytes) {
    while (true) {
      long held = bodyBytes.get();
      if (held + bytes > maxBodyBytes) {
        return false;
      }
      if (bodyBytes.compareAndSet(held, held + bytes)) {
        return true;
      }
    }
  }

  void releaseBodyBytes(long bytes) {
    bodyBytes.addAndGet(-bytes);
  }

  public int maxConnections() {
    return maxConnections;
  }

  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /** Connections open now, over every edge. */
  public int connections() {
    return connections.get();
  }

  /** Bytes of request bodies held now, over every edge. */
  public long bodyBytes() {
    return bodyBytes.get();
  }
}
