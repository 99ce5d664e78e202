package io.eventsprocessor.admin;

import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.ingest.Problem;
import io.eventsprocessor.metrics.HttpServerMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' API, on its own port (loopback by default) so that the app's users can never reach it:
 * the outbox's state, the dead letters, re-sending a dead letter, and Prometheus metrics. With a token configured, every call
 * must carry it as {@code Authorization: Bearer <token>}.
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);

  /** @param token the required bearer token, or empty for none (then rely on the loopback binding) */
  public record Settings(boolean enabled, String host, int port, String token) {}

  private final Settings settings;
  private final PrometheusMeterRegistry metrics;
  private int actualPort;

  public AdminVerticle(Settings settings, PrometheusMeterRegistry metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(new HttpServerMeters(metrics));
    router.route().handler(this::authorize);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    router.get("/v1/admin/outbox").handler(ctx -> ask(ctx, EventAddresses.ADMIN_OUTBOX, null, 200));
    router.get("/v1/admin/dead-letters").handler(ctx -> ask(ctx, EventAddresses.ADMIN_DEAD_LETTERS, null, 200));
    router.post("/v1/admin/dead-letters/:id/retry")
        .handler(ctx -> ask(ctx, EventAddresses.ADMIN_RETRY_DEAD_LETTER, ctx.pathParam("id"), 202));
    router.post("/v1/admin/rules/reload").handler(ctx -> ask(ctx, EventAddresses.ADMIN_RELOAD_RULES, null, 200));
    router.errorHandler(404, ctx -> Problem.send(ctx, 404, "No such admin endpoint."));
    router.errorHandler(405, ctx -> Problem.send(ctx, 405, "Method not allowed."));
    router.errorHandler(500, ctx -> {
      LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      Problem.send(ctx, 500, "An unexpected error occurred.");
    });
    return vertx.createHttpServer().requestHandler(router).listen(settings.port(), settings.host())
        .onSuccess(s -> {
          actualPort = s.actualPort();
          LOG.info("admin API on http://{}:{}/v1/admin/", settings.host(), actualPort);
        });
  }

  public int actualPort() {
    return actualPort;
  }

  private void authorize(RoutingContext ctx) {
    if (settings.token().isEmpty()) {
      ctx.next();
      return;
    }
    String given = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] expected = ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8);
    if (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      Problem.send(ctx, 401, "A valid admin token is required.");
    }
  }

  private void ask(RoutingContext ctx, String address, Object body, int status) {
    vertx.eventBus().request(address, body).onComplete(reply -> {
      if (reply.succeeded()) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .end(reply.result().body().toString());
      } else if (reply.cause() instanceof ReplyException e && e.failureCode() >= 400 && e.failureCode() < 500) {
        Problem.send(ctx, e.failureCode(), e.getMessage());
      } else {
        Problem.send(ctx, 503, "The service did not answer: " + reply.cause().getMessage());
      }
    });
  }
}
