package io.eventsprocessor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The requests an HTTP server of the service answered, and the time each took, by route, status and method: the
 * first handler of a router. Each route, status and method's meters are resolved once and kept, where Vert.x's own
 * HTTP server metrics looked up five meters by their tags on every request (5.2 % of the HTTP API's CPU samples
 * under load went to metrics with them, 1.7 % with these: see docs/benchmarks.md). The names and labels are those
 * Vert.x's had, so that dashboards built on them go on working.
 */
public final class HttpServerMeters implements Handler<RoutingContext> {
  static final String REQUESTS = "vertx.http.server.requests";
  static final String RESPONSE_TIME = "vertx.http.server.response.time";

  private final MeterRegistry registry;
  private final ConcurrentHashMap<Key, Meters> meters = new ConcurrentHashMap<>();

  public HttpServerMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  private record Key(String route, int code, String method) {}

  private record Meters(Counter requests, Timer responseTime) {}

  @Override
  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    ctx.addEndHandler(ended -> {
      // A connection closed before the answer: no status to count it under.
      if (ctx.response().ended()) {
        Meters m = meters.computeIfAbsent(new Key(route(ctx.currentRoute()), ctx.response().getStatusCode(),
            MetricsSetup.method(ctx.request().method().name())), this::register);
        m.requests.increment();
        m.responseTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      }
    });
    ctx.next();
  }

  /** The path the request matched, as the router declares it; empty when it matched none (a 404). */
  private static String route(Route route) {
    String path = route == null ? null : route.getPath();
    return path == null ? "" : path;
  }

  private Meters register(Key key) {
    String code = String.valueOf(key.code());
    return new Meters(
        Counter.builder(REQUESTS).description("Requests answered")
            .tags("route", key.route(), "code", code, "method", key.method()).register(registry),
        Timer.builder(RESPONSE_TIME).description("Time to answer a request")
            .tags("route", key.route(), "code", code, "method", key.method()).register(registry));
  }
}
