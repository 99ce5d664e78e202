package io.eventsprocessor;

import io.eventsprocessor.admin.AdminVerticle;
import io.eventsprocessor.ingest.IngestVerticle;
import io.eventsprocessor.metrics.MetricsVerticle;
import io.eventsprocessor.notify.NotifySinkVerticle;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.notify.OutboxStats;
import io.eventsprocessor.notify.OutboxVerticle;
import io.eventsprocessor.service.AppConfig;
import io.eventsprocessor.time.Timers;
import io.eventsprocessor.unsupported.UnsupportedEventVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The service's verticles, in the order that never loses an event: the notification sink and the outbox first,
 * then the admin and metrics servers, the fallback consumer and the rules, and the HTTP edges last, once every
 * address they send to has its consumers. They stop in the reverse order (see {@link Layer}). Once deployed, they
 * tell the ports they listen on.
 */
final class Parts {
  private final List<IngestVerticle> edges = new CopyOnWriteArrayList<>();
  private AdminVerticle admin;
  private MetricsVerticle metrics;

  /** Deploys them all, with {@code instances} HTTP edges built by {@code edge}. */
  Future<String> deploy(Vertx vertx, AppConfig config, Store store, Outbox contents, OutboxStats outbox,
      PrometheusMeterRegistry registry, Edge edge, Clock clock, Timers timers, int instances) {
    List<VerticleBase> layers = new ArrayList<>();
    if (config.notifySink().enabled()) {
      layers.add(new NotifySinkVerticle(config.notifySink().host(), config.notifySink().port(), registry));
    }
    layers.add(new OutboxVerticle(config.notifier(), contents, outbox, store.deliveries(), store.ownDeadLetters(),
        clock, timers));
    if (config.admin().enabled()) {
      layers.add(admin = new AdminVerticle(config.admin(), registry));
    }
    if (config.metrics().server() == MetricsVerticle.Server.own) {
      layers.add(metrics = new MetricsVerticle(config.metrics(), registry));
    }
    layers.add(new UnsupportedEventVerticle());
    layers.add(store.rules());
    return vertx.deployVerticle(Layer.of(layers, () -> {
      IngestVerticle verticle = edge.get();
      edges.add(verticle);
      return verticle;
    }, instances));
  }

  int edges() {
    return edges.size();
  }

  StartupSummary.Ports ports() {
    return new StartupSummary.Ports(httpPort(), adminPort(), metricsPort());
  }

  int httpPort() {
    return edges.get(0).actualPort();
  }

  /** -1 when the admin API is off. */
  int adminPort() {
    return admin == null ? -1 : admin.actualPort();
  }

  /** -1 when metrics are served on the admin port, or not at all. */
  int metricsPort() {
    return metrics == null ? -1 : metrics.actualPort();
  }
}
