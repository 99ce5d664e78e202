package io.eventsprocessor.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} on a port of its own, and nothing else: what Prometheus scrapes in Kubernetes, where the admin
 * API stays on loopback. No token: the metrics are counts and timings, never a user's id or a secret.
 */
public final class MetricsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsVerticle.class);
  /** Prometheus's text format, as its scrapers ask for it. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Where {@code GET /metrics} is served. */
  public enum Server {
    /** On the admin API only, under its token. */
    admin,
    /** Also on a server of its own, {@code metrics.host}:{@code metrics.port}. */
    own
  }

  public record Settings(Server server, String host, int port) {}

  private final Settings settings;
  private final PrometheusMeterRegistry registry;
  private int actualPort;

  public MetricsVerticle(Settings settings, PrometheusMeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer()
        .requestHandler(request -> {
          if (request.method() != HttpMethod.GET || !request.path().equals("/metrics")) {
            request.response().setStatusCode(404).end();
            return;
          }
          // Scraping walks every meter: off the event loop, which serves the scrapes only.
          vertx.executeBlocking(registry::scrape, false).onComplete(scrape -> {
            if (scrape.succeeded()) {
              request.response().putHeader("Content-Type", CONTENT_TYPE).end(scrape.result());
            } else {
              request.response().setStatusCode(500).end();
            }
          });
        })
        .listen(settings.port(), settings.host())
        .onSuccess(server -> {
          actualPort = server.actualPort();
          LOG.info("metrics on http://{}:{}/metrics", settings.host(), actualPort);
        });
  }

  public int actualPort() {
    return actualPort;
  }
}
