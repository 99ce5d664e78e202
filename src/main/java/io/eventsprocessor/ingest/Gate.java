package io.eventsprocessor.ingest;

/**
 * What is checked before a request's body is read, so that an unknown or flooding caller costs no parsing: who the
 * caller is, the client address's rate (when authentication is off), and whether the service can take events now.
 * One instance serves every HTTP edge of the process.
 *
 * @param backpressure why events cannot be taken now (the outbox is full, …), or null when they can: the whole
 *                     request is then answered 503, before its body is read
 */
public record Gate(Authenticator authenticator, RateLimiter perAddress, Backpressure backpressure, IngestStats stats) {

  /** Whether the service can take events now. */
  public interface Backpressure {
    /** Null when events can be taken; otherwise why not, for the 503's detail. */
    String refusal();
  }
}
