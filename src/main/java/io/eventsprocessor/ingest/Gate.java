package io.eventsprocessor.ingest;

/**
 * What is checked before a request's body is read, so that an unknown or flooding caller costs no parsing: the
 * client address's rate, who the caller is, and whether the service can take events now; and what every edge may
 * hold at once. One instance serves every HTTP edge of the process.
 *
 * @param clients    which address a request comes from (the peer, or what a trusted proxy forwarded)
 * @param perAddress the rate per client address, in every authentication mode
 * @param readiness  whether events can be taken now: while a part that refuses requests is down, the whole request
 *                   is answered 503, before its body is read
 * @param capacity   the connections and the bytes of request bodies all edges may hold at once
 */
public record Gate(Authenticator authenticator, ClientAddresses clients, RateLimiter perAddress, Readiness readiness,
    Capacity capacity, IngestStats stats) {}
