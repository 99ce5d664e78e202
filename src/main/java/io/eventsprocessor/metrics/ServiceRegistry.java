package io.eventsprocessor.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's registry for one deployment: Vert.x's own when the Launcher built Vert.x with metrics (else one of
 * its own), with the JVM's and the process's meters bound. Closed with the deployment, it takes the service's meters
 * out: a registry Vert.x keeps outlives a deployment, and a later one would otherwise find meters that read this
 * one's counters.
 */
public final class ServiceRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistry.class);

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final AutoCloseable jvmMetrics;

  private ServiceRegistry(Vertx vertx) {
    this.vertx = vertx;
    this.registry = MetricsSetup.of(vertx);
    this.jvmMetrics = MetricsSetup.bindJvmAndProcess(registry);
  }

  public static ServiceRegistry open(Vertx vertx) {
    return new ServiceRegistry(vertx);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Closes it, if there is one. */
  public static void close(ServiceRegistry registry) {
    if (registry != null) {
      registry.close();
    }
  }

  public void close() {
    try {
      jvmMetrics.close();
    } catch (Exception e) {
      LOG.debug("the JVM's collection metrics did not close: {}", e.toString());
    }
    if (MetricsSetup.isVertxs(vertx, registry)) {
      java.util.List.copyOf(registry.getMeters()).stream()
          .filter(m -> m.getId().getName().startsWith("events.processor.")).forEach(registry::remove);
    }
  }

  /** The service's meters: the counts the parts keep, and the histograms they feed. */
  public ServiceMeters meters(io.eventsprocessor.ingest.IngestStats stats, io.eventsprocessor.notify.OutboxStats outbox,
      java.util.List<io.eventsprocessor.rules.RuleSet.Family<?>> families) {
    Metrics.register(registry, stats, outbox, families);
    ServiceMeters meters = new ServiceMeters(registry);
    outbox.observe(meters);
    return meters;
  }
}
