package io.eventsprocessor.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.Arrays;

/**
 * The one Prometheus registry of a process: Vert.x's own metrics (HTTP clients, the event bus, pools), the JVM's
 * and the process's, and the service's, its HTTP servers' among them ({@link HttpServerMeters}). Vert.x's are on
 * only when Vert.x is built with them: the {@link io.eventsprocessor.Launcher} does it, so that no {@code -options}
 * are needed.
 */
public final class MetricsSetup {
  /** The name Vert.x's metrics keep the registry under. */
  public static final String REGISTRY_NAME = "events-processor";

  /** Handling a request of the HTTP API: sub-millisecond when all is well, seconds when the disk or a lock stalls. */
  static final Duration[] HTTP_SERVER_BUCKETS = millis(0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
      5000, 10_000);
  /** One attempt to the notification service: a network round trip, up to the timeout (5 s by default). */
  static final Duration[] HTTP_CLIENT_BUCKETS = millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
      10_000, 30_000);

  private MetricsSetup() {}

  /** A registry whose Vert.x request timers have histograms, with buckets fit for each. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
        // The method is what the client wrote (Vert.x takes any token for one): each new one would be new meters.
        .meterFilter(MeterFilter.replaceTagValues(Label.HTTP_METHOD.toString(), MetricsSetup::method))
        .meterFilter(buckets("vertx.http.server.response.time", HTTP_SERVER_BUCKETS))
        .meterFilter(buckets("vertx.http.client.response.time", HTTP_CLIENT_BUCKETS));
    return registry;
  }

  /**
   * Vert.x's metrics on the registry of {@link #REGISTRY_NAME}. Labels stay bounded: the method (the standard ones,
   * any other as OTHER), the event-bus address (ours are a fixed set; replies are not counted). Its HTTP servers'
   * are off: {@link HttpServerMeters} keeps them at a fraction of their cost. The JVM's meters are bound by {@link
   * #bindJvmAndProcess}, the same with or without Vert.x's metrics.
   */
  public static MicrometerMetricsOptions vertxOptions() {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(REGISTRY_NAME)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(false);
    options.addLabels(Label.EB_ADDRESS);
    options.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
    return options;
  }

  /** The registry Vert.x's metrics write to when this Vert.x has them (as the Launcher builds it), or a new one. */
  public static PrometheusMeterRegistry of(Vertx vertx) {
    if (vertx.isMetricsEnabled() && BackendRegistries.getNow(REGISTRY_NAME) instanceof PrometheusMeterRegistry shared) {
      return shared;
    }
    return newRegistry();
  }

  /** Whether this registry is the one Vert.x's metrics keep, which outlives a deployment of the service. */
  public static boolean isVertxs(Vertx vertx, PrometheusMeterRegistry registry) {
    return vertx.isMetricsEnabled() && BackendRegistries.getNow(REGISTRY_NAME) == registry;
  }

  /**
   * The JVM's memory, collections, threads, classes, and the process's CPU, uptime and open files.
   *
   * @return what must be closed when the registry is no longer used (the collections' listener)
   */
  public static AutoCloseable bindJvmAndProcess(MeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }

  private static final java.util.Set<String> METHODS =
      java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

  /** A standard method as it is, anything else as {@code OTHER}: the label's values stay a fixed set. */
  static String method(String method) {
    return METHODS.contains(method) ? method : "OTHER";
  }

  private static MeterFilter buckets(String name, Duration[] buckets) {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals(name)) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .serviceLevelObjectives(Arrays.stream(buckets).mapToDouble(Duration::toNanos).toArray())
            .build()
            .merge(config);
      }
    };
  }

  static Duration[] millis(double... values) {
    return Arrays.stream(values).mapToObj(ms -> Duration.ofNanos((long) (ms * 1_000_000))).toArray(Duration[]::new);
  }
}
