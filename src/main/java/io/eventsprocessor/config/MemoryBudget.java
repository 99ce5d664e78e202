package io.eventsprocessor.config;

/**
 * What the service may keep, as shares of the heap it is given, as Elasticsearch sizes its circuit breakers: the
 * same jar is then safe at {@code -Xmx160m} and uses a large heap well. A share turns into a count through the
 * heap one entry takes, as measured by the memory benchmark (README, "Benchmarks"); a config key may still set an
 * absolute count. What is left (about a third of the heap) is working memory: the events of the bodies in flight
 * being decoded and applied, snapshots, the GC's headroom.
 *
 * @param maxHeap the heap the JVM may grow to, in bytes
 */
public record MemoryBudget(long maxHeap) {
  /** Users kept by the rules: entries, clocks, wake-ups, the ids of their latest events. */
  public static final double USERS_SHARE = 0.40;
  public static final int BYTES_PER_USER = 420;
  /** Notifications waiting in the outbox. */
  public static final double OUTBOX_SHARE = 0.10;
  public static final int BYTES_PER_NOTIFICATION = 790;
  /**
   * Request bodies held by the HTTP edges, from their arrival to their answer, counted in bytes as they came. The
   * events parsed from them take a few times more while they are applied: that comes out of the working memory.
   */
  public static final double BODIES_SHARE = 0.10;
  /**
   * Connections open at once, each with a request's headers being read: about 9 KB of heap each was measured
   * (2,000 connections held open with most of 8 KiB of headers sent); 16 KiB covers the header bytes Netty holds
   * out of the heap as well.
   */
  public static final double CONNECTIONS_SHARE = 0.05;
  public static final int BYTES_PER_CONNECTION = 16 * 1024;

  /** The JVM's own maximum heap. */
  public static MemoryBudget ofThisJvm() {
    return new MemoryBudget(Runtime.getRuntime().maxMemory());
  }

  public int users() {
    return count(USERS_SHARE, BYTES_PER_USER, 1_000);
  }

  public int outbox() {
    return count(OUTBOX_SHARE, BYTES_PER_NOTIFICATION, 100);
  }

  public int connections() {
    return count(CONNECTIONS_SHARE, BYTES_PER_CONNECTION, 64);
  }

  /** Bytes of request bodies in flight; at least {@code largestBody}, so that the largest body allowed fits alone. */
  public int bodyBytes(long largestBody) {
    return (int) Math.max(largestBody, count(BODIES_SHARE, 1, 0));
  }

  private int count(double share, int bytesPerEntry, int atLeast) {
    return (int) Math.max(atLeast, Math.min(Integer.MAX_VALUE, (long) (maxHeap * share) / bytesPerEntry));
  }
}
