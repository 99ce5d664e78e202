package io.eventsprocessor.ingest;

import java.util.concurrent.atomic.LongAdder;

/** What ingestion counted since the start, over every HTTP edge of the process; one event or request each. */
public final class IngestStats {
  final LongAdder accepted = new LongAdder();
  final LongAdder unsupported = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  final LongAdder clamped = new LongAdder();
  final LongAdder late = new LongAdder();
  final LongAdder unauthorized = new LongAdder();
  final LongAdder forbidden = new LongAdder();
  final LongAdder unavailable = new LongAdder();
  final LongAdder connectionsRefused = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  final LongAdder overBudget = new LongAdder();

  /** Events handed to the rules. */
  public long accepted() {
    return accepted.sum();
  }

  /** Events of a type no handler declares (handed to the fallback consumer). */
  public long unsupported() {
    return unsupported.sum();
  }

  /** Events answered "duplicate". */
  public long duplicates() {
    return duplicates.sum();
  }

  /** Invalid events. */
  public long rejected() {
    return rejected.sum();
  }

  /** Events and requests turned away with 429. */
  public long rateLimited() {
    return rateLimited.sum();
  }

  /** Accepted events stamped too far in the future and clamped to their receive time. */
  public long clamped() {
    return clamped.sum();
  }

  /** Accepted events stamped before the latest earlier event of the same user. */
  public long late() {
    return late.sum();
  }

  /** Requests answered 401. */
  public long unauthorized() {
    return unauthorized.sum();
  }

  /** Events refused because their effect could not be kept (503). */
  public long unavailable() {
    return unavailable.sum();
  }

  /** Requests answered 403. */
  public long forbidden() {
    return forbidden.sum();
  }

  /** Connections closed at once: as many were open as {@code http.maxConnections}. */
  public long connectionsRefused() {
    return connectionsRefused.sum();
  }

  /** Connections closed because a request's headers or body did not arrive in time. */
  public long timedOut() {
    return timedOut.sum();
  }

  /** Requests answered 503 because the bodies in flight filled {@code http.bodyBytesInFlight}. */
  public long overBudget() {
    return overBudget.sum();
  }

  @Override
  public String toString() {
    return "accepted " + accepted() + ", unsupported " + unsupported() + ", duplicates " + duplicates()
        + ", rejected " + rejected() + ", rate-limited " + rateLimited() + ", clamped " + clamped()
        + ", late " + late() + ", unauthorized " + unauthorized() + ", forbidden " + forbidden()
        + ", unavailable " + unavailable() + ", connections refused " + connectionsRefused()
        + ", connections timed out " + timedOut() + ", bodies over budget " + overBudget();
  }
}
