package io.eventsprocessor.rules;

/**
 * What became of the snapshots the rules tried to save: written on the rules' thread, read from any (the metrics,
 * readiness). A snapshot is rare (a minute apart), so a lock is no cost.
 */
public final class SnapshotStats {
  private long saved;
  private long failed;
  private int failingInARow;
  private long savedNanos;
  private String lastFailure;

  synchronized void saved(long nanos) {
    saved++;
    savedNanos += nanos;
    failingInARow = 0;
  }

  synchronized void failed(String cause) {
    failed++;
    failingInARow++;
    lastFailure = cause;
  }

  /** Snapshots saved since the start. */
  public synchronized long saved() {
    return saved;
  }

  /** Snapshots that could not be saved since the start. */
  public synchronized long failed() {
    return failed;
  }

  /** Snapshots that failed since the last one saved. */
  public synchronized int failingInARow() {
    return failingInARow;
  }

  /** Seconds the saved snapshots took, all together. */
  public synchronized double savedSeconds() {
    return savedNanos / 1e9;
  }

  /** Why the last failed one failed, or null. */
  public synchronized String lastFailure() {
    return lastFailure;
  }
}
