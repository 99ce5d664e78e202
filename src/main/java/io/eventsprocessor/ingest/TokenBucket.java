package io.eventsprocessor.ingest;

/**
 * A token bucket: it holds at most {@code burst} tokens, refills at {@code perSecond}, and each request (or event)
 * takes one. Immutable and pure: time comes in as ticker nanoseconds.
 *
 * @param tokens what the bucket held at {@code at}
 */
record TokenBucket(double tokens, long at) {
  private static final double NANOS_PER_SECOND = 1e9;

  static TokenBucket full(int burst, long now) {
    return new TokenBucket(burst, now);
  }

  /** The bucket as it is at {@code now}. */
  TokenBucket refilled(long now, int perSecond, int burst) {
    long elapsed = Math.max(0, now - at);
    return new TokenBucket(Math.min(burst, tokens + elapsed * perSecond / NANOS_PER_SECOND), Math.max(now, at));
  }

  boolean hasToken() {
    return tokens >= 1;
  }

  TokenBucket takeOne() {
    return new TokenBucket(tokens - 1, at);
  }

  /** Nanoseconds until the next token is there (at least 1 while there is none). */
  long nanosUntilToken(int perSecond) {
    return hasToken() ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) * NANOS_PER_SECOND / perSecond));
  }
}
