package io.eventsprocessor.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
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
  private static final int IDLE_TIMEOUT_SECONDS = 60;
  private int actualPort;
  /** The scrape under way: requests that come meanwhile share it, so that a flood of them costs one. */
  private Future<String> scraping;

  public MetricsVerticle(Settings settings, PrometheusMeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
  }

  /** Scraping walks every meter: off the event loop (which serves the scrapes only), one at a time. */
  private Future<String> scrape() {
    if (scraping == null || scraping.isComplete()) {
      scraping = vertx.executeBlocking(registry::scrape, false);
    }
    return scraping;
  }

  @Override
  public Future<?> start() {
    // Open to a scraper on another machine: idle connections are closed, as the public edge closes them.
    return vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(IDLE_TIMEOUT_SECONDS))
        .requestHandler(request -> {
          if (request.method() != HttpMethod.GET || !request.path().equals("/metrics")) {
            request.response().setStatusCode(404).end();
            return;
          }
          scrape().onComplete(scrape -> {
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
