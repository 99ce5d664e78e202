package io.eventsprocessor.rules;

/**
 * What became of the snapshots the rules tried to save (of one node's state, or of what a cluster's node holds):
 * written by the snapshots, read from any thread (the metrics, readiness). A snapshot is rare (a minute apart), so a
 * lock is no cost.
 */
public final class SnapshotStats {
  /** Consecutive failed snapshots from which {@link #failing} says so (readiness: not ready). */
  public static final int FAILURES_NOT_READY = 3;

  private long saved;
  private long failed;
  private int failingInARow;
  private long savedNanos;
  private String lastFailure;

  public synchronized void saved(long nanos) {
    saved++;
    savedNanos += nanos;
    failingInARow = 0;
  }

  public synchronized void failed(String cause) {
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

  /** Why the last snapshots failed, once {@link #FAILURES_NOT_READY} failed in a row, or null. */
  public synchronized String failing() {
    return failingInARow < FAILURES_NOT_READY ? null
        : "The last " + failingInARow + " snapshots of the state could not be saved (" + lastFailure
            + "); the journal keeps every event meanwhile";
  }

  /** Why the last failed one failed, or null. */
  public synchronized String lastFailure() {
    return lastFailure;
  }
}
