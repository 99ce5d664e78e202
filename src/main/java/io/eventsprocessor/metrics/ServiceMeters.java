package io.eventsprocessor.metrics;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.ingest.Admission;
import io.eventsprocessor.ingest.Capacity;
import io.eventsprocessor.notify.DeliveryObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The service's histograms of time, along an event's way: how old an event is when it is accepted, how long the
 * rules take to decide a notification, how long its delivery takes and how many attempts. Each meter is looked up
 * once, here: recording is a few atomic adds on the hot path, no tags built, no lookup.
 */
public final class ServiceMeters implements DeliveryObserver {
  /** From seconds (live traffic) to a week (an app that uploads what it kept offline). */
  static final Duration[] EVENT_AGE_BUCKETS = seconds(0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600, 6 * 3600,
      24 * 3600, 7 * 24 * 3600);
  /** The journal's sync (fsync, ~0.3 ms) and the queue before it. */
  static final Duration[] DECISION_BUCKETS = MetricsSetup.millis(0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
      1000, 2500, 5000, 10_000);
  /** One round trip when all is well; backoffs and an open circuit up to notify.maxAge (1 hour). */
  static final Duration[] DELIVERY_BUCKETS = MetricsSetup.millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
      10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000);
  /** notify.maxAttempts is 10 by default. */
  static final double[] ATTEMPT_BUCKETS = {1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100};

  private final Timer eventAge;
  private final Timer decision;
  private final Timer delivery;
  private final DistributionSummary attemptsDelivered;
  private final DistributionSummary attemptsDeadLettered;
  private final HttpServerMeters httpApi;
  private final MeterRegistry registry;

  public ServiceMeters(MeterRegistry registry) {
    this.registry = registry;
    httpApi = new HttpServerMeters(registry);
    eventAge = Timer.builder("events.processor.event.age")
        .description("Age of an event when accepted: its receive time minus its time (occurredAt, corrected for the "
            + "device's clock); an event stamped ahead counts as 0")
        .serviceLevelObjectives(EVENT_AGE_BUCKETS).register(registry);
    decision = Timer.builder("events.processor.decision.latency")
        .description("From the receipt of the event that decided a notification (or the wake-up that fell due) to "
            + "the decision, journal sync included")
        .serviceLevelObjectives(DECISION_BUCKETS).register(registry);
    delivery = Timer.builder("events.processor.delivery.latency")
        .description("From a notification's decision (the outbox taking it) to its delivery, retries included")
        .serviceLevelObjectives(DELIVERY_BUCKETS).register(registry);
    attemptsDelivered = attempts(registry, "delivered");
    attemptsDeadLettered = attempts(registry, "dead_lettered");
  }

  /** What the HTTP edges hold now, read when scraped. */
  public void capacity(Capacity capacity) {
    Gauge.builder("events.processor.connections.open", capacity, Capacity::connections)
        .description("Connections open on the HTTP API, over every edge").register(registry);
    Gauge.builder("events.processor.body.bytes.in.flight", capacity, Capacity::bodyBytes)
        .description("Bytes of request bodies held now, over every edge").register(registry);
  }

  /** The HTTP API's requests, whichever edge answered them. */
  public HttpServerMeters httpApi() {
    return httpApi;
  }

  private static DistributionSummary attempts(MeterRegistry registry, String outcome) {
    return DistributionSummary.builder("events.processor.notification.attempts")
        .description("Attempts per notification, counted when it is delivered or becomes a dead letter")
        .tag("outcome", outcome).serviceLevelObjectives(ATTEMPT_BUCKETS).register(registry);
  }

  /** An event the rules accepted (applied and on disk). */
  public void accepted(Event event) {
    long age = event.receivedAt().toEpochMilli() - event.occurredAt().toEpochMilli();
    eventAge.record(Math.max(0, age), TimeUnit.MILLISECONDS);
  }

  /** A notification decided {@code millis} after its cause. */
  public void decided(long millis) {
    decision.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void delivered(long sinceQueuedMillis, int attempts) {
    delivery.record(Math.max(0, sinceQueuedMillis), TimeUnit.MILLISECONDS);
    attemptsDelivered.record(attempts);
  }

  @Override
  public void deadLettered(int attempts) {
    attemptsDeadLettered.record(attempts);
  }

  private static Duration[] seconds(double... values) {
    return java.util.Arrays.stream(values).mapToObj(s -> Duration.ofNanos((long) (s * 1e9))).toArray(Duration[]::new);
  }

  /** The events the rules accept are measured on their way back: the admission itself is not touched. */
  public Admission.Publisher measure(Admission.Publisher publisher) {
    return new Admission.Publisher() {
      @Override
      public Future<Admission.Status> accepted(Event event) {
        return publisher.accepted(event).map(status -> {
          if (status == Admission.Status.ACCEPTED) {
            ServiceMeters.this.accepted(event); // not this Publisher's own accepted, which would publish again
          }
          return status;
        });
      }

      @Override
      public void unsupported(Event event) {
        publisher.unsupported(event);
      }
    };
  }
}
