package io.eventsprocessor;

import io.eventsprocessor.event.EventDecoder;
import io.eventsprocessor.ingest.Admission;
import io.eventsprocessor.ingest.Authenticator;
import io.eventsprocessor.ingest.BusPublisher;
import io.eventsprocessor.ingest.Capacity;
import io.eventsprocessor.ingest.ClientAddresses;
import io.eventsprocessor.ingest.Gate;
import io.eventsprocessor.ingest.IngestStats;
import io.eventsprocessor.ingest.IngestVerticle;
import io.eventsprocessor.ingest.LateEvents;
import io.eventsprocessor.ingest.RateLimiter;
import io.eventsprocessor.ingest.Readiness;
import io.eventsprocessor.metrics.HttpServerMeters;
import io.eventsprocessor.metrics.ServiceMeters;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.service.AppConfig;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The HTTP edges' parts, composed once for all of them: one decoder of the families' types, one gate, and one
 * admission's limits, so that a caller or a rate is judged the same whichever edge a request reaches.
 */
record Edge(AppConfig config, EventDecoder decoder, Gate gate, Supplier<Admission> admissions,
    HttpServerMeters requests, Clock clock) implements Supplier<IngestVerticle> {

  /**
   * The accepted events are measured by {@code meters} on their way back from the rules.
   *
   * @param rulesKeepUserRates whether the rules keep each user's rate (a cluster's owner sees all of a user's
   *                           events): the edges then keep only the rate per address
   */
  static Edge of(Vertx vertx, AppConfig config, List<RuleFamily<?>> families, Readiness readiness, IngestStats stats,
      ServiceMeters meters, Clock clock, boolean rulesKeepUserRates) {
    EventDecoder decoder = new EventDecoder(families.stream().flatMap(f -> f.schemas().stream()).toList(),
        config.ingest().futureMargin(), config.ingest().cloudEventsTypePrefix());
    Gate gate = new Gate(Authenticator.create(vertx, config.auth()),
        ClientAddresses.trusting(config.http().trustedProxies(), config.http().forwardedHeader()),
        config.rateLimit().perAddress(clock), readiness,
        new Capacity(config.http().maxConnections(), config.http().bodyBytesInFlight()), stats);
    meters.capacity(gate.capacity());
    RateLimiter perUser = rulesKeepUserRates ? RateLimiter.unlimited() : config.rateLimit().perUser(clock);
    LateEvents late = new LateEvents(clock);
    // Each edge hands its events to the rules in its own turns; the limits and counts are shared.
    Supplier<Admission> admissions = () -> new Admission(perUser, config.rateLimit().perUser().nanosPerToken(), late,
        stats, meters.measure(new BusPublisher(vertx.eventBus())));
    return new Edge(config, decoder, gate, admissions, meters.httpApi(), clock);
  }

  /** A new HTTP edge (one per launcher instance), sharing the parts above. */
  @Override
  public IngestVerticle get() {
    return new IngestVerticle(config.http(), decoder, gate, admissions.get(), requests, clock);
  }
}
