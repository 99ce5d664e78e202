package io.eventsprocessor.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.time.ClockTicker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Tells late events: stamped before the latest event already accepted for the same user. They are applied like
 * any other (the rules judge each event by its own time, and a user's event clock never moves back); this only
 * notices them, for the counters and the logs. Counted here, at ingestion, rather than in the handlers, because a
 * handler forgets a user with nothing pending and would miss those users' late events. The latest time per user is
 * kept for the {@link #USERS} most recently active users, for a day: memory stays bounded, and a user forgotten
 * is not counted late once.
 */
public final class LateEvents {
  static final int USERS = 100_000;
  static final Duration KEPT = Duration.ofHours(24);

  private final Cache<String, Instant> latest;

  public LateEvents(Clock clock) {
    this.latest = Caffeine.newBuilder()
        .maximumSize(USERS)
        .expireAfterAccess(KEPT)
        .ticker(new ClockTicker(clock))
        .executor(Runnable::run)
        .build();
  }

  /** Notes the accepted event; true when it is late. */
  boolean observe(Event event) {
    boolean[] late = {false};
    latest.asMap().compute(event.userId(), (user, time) -> {
      if (time != null && event.occurredAt().isBefore(time)) {
        late[0] = true;
        return time;
      }
      return event.occurredAt();
    });
    return late[0];
  }
}
