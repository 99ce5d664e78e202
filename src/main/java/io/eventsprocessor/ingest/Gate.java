package io.eventsprocessor.ingest;

/**
 * What is checked before a request's body is read, so that an unknown or flooding caller costs no parsing: who the
 * caller is, the client address's rate (when authentication is off), and whether the service can take events now.
 * One instance serves every HTTP edge of the process.
 *
 * @param readiness whether events can be taken now: while a part that refuses requests is down, the whole request
 *                  is answered 503, before its body is read
 */
public record Gate(Authenticator authenticator, RateLimiter perAddress, Readiness readiness, IngestStats stats) {}
