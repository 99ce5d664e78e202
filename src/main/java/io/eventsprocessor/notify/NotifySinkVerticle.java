package io.eventsprocessor.notify;

import io.eventsprocessor.metrics.HttpServerMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for the notification service, for a first run with nothing else running: it answers
 * {@code POST /v1/notify} and logs every notification it receives. A production config turns it off.
 */
public final class NotifySinkVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotifySinkVerticle.class);

  private final String host;
  private final int port;
  private final MeterRegistry registry;

  public NotifySinkVerticle(String host, int port, MeterRegistry registry) {
    this.host = host;
    this.port = port;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(new HttpServerMeters(registry));
    router.post("/v1/notify").handler(BodyHandler.create(false).setBodyLimit(64 * 1024)).handler(this::receive);
    return vertx.createHttpServer().requestHandler(router).listen(port, host)
        .onSuccess(s -> LOG.info("notification sink listening on http://{}:{}/v1/notify", host, s.actualPort()));
  }

  private void receive(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      ctx.response().setStatusCode(400).end();
      return;
    }
    LOG.atInfo().addKeyValue("notificationId", body.getString("id")).addKeyValue("userId", body.getString("userId"))
        .log("NOTIFY {} to user {}: \"{}\" (id {})",
        body.getString("kind"), body.getString("userId"), body.getString("message"), body.getString("id"));
    ctx.response().setStatusCode(204).end();
  }
}
