package io.eventsprocessor.ingest;

import java.time.Clock;

/**
 * How fast callers may send.
 *
 * @param enabled    false turns rate limiting off
 * @param maxKeys    how many users, and how many addresses, have a bucket at most
 * @param perUser    events per user (every mode)
 * @param perAddress requests per client address, in every authentication mode
 */
public record RateLimits(boolean enabled, int maxKeys, RateLimiter.Settings perUser, RateLimiter.Settings perAddress) {

  public RateLimiter perUser(Clock clock) {
    return enabled ? RateLimiter.create(perUser, maxKeys, clock) : RateLimiter.unlimited();
  }

  public RateLimiter perAddress(Clock clock) {
    return enabled ? RateLimiter.create(perAddress, maxKeys, clock) : RateLimiter.unlimited();
  }
}
