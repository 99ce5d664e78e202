package io.eventsprocessor.ingest;

import java.time.Clock;

/**
 * What every HTTP edge of the process shares, so that {@code -instances N} edges answer as one: who may post,
 * how fast, which events were already taken, and the counters.
 */
public record Guards(
    Authenticator authenticator,
    RateLimiter perUser,
    RateLimiter perAddress,
    DuplicateFilter duplicates,
    LateEvents late,
    IngestStats stats) {

  /**
   * @param enabled    false turns rate limiting off
   * @param maxKeys    how many users, and how many addresses, have a bucket at most
   * @param perUser    events per user (every mode)
   * @param perAddress requests per client address, when authentication is off
   */
  public record RateLimits(boolean enabled, int maxKeys, RateLimiter.Settings perUser, RateLimiter.Settings perAddress) {}

  public static Guards create(Authenticator authenticator, RateLimits limits, DuplicateFilter.Settings duplicates,
      Clock clock) {
    return new Guards(
        authenticator,
        limits.enabled() ? RateLimiter.create(limits.perUser(), limits.maxKeys(), clock) : RateLimiter.unlimited(),
        limits.enabled() ? RateLimiter.create(limits.perAddress(), limits.maxKeys(), clock) : RateLimiter.unlimited(),
        new DuplicateFilter(duplicates, clock),
        new LateEvents(clock),
        new IngestStats());
  }
}
