package io.eventsprocessor.ingest;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.List;

/** The probes on the public server: liveness, and readiness under its two names. */
final class Health {
  private Health() {}

  static void routes(Router router, Readiness readiness) {
    // Readiness is down exactly while a part of the service refuses events (Readiness, the gate's source too); /health
    // is its first name. Liveness says the process answers: a process that cannot is restarted by the probe's timeout.
    for (String path : List.of("/health", "/health/ready")) {
      readOnly(router, path).handler(ctx -> {
        JsonObject health = readiness.health();
        ctx.response().setStatusCode("UP".equals(health.getString("status")) ? 200 : 503);
        ctx.json(health);
      });
    }
    readOnly(router, "/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")
        .put("checks", new JsonObject().put("http", new JsonObject().put("status", "UP")))));
  }

  /** A route for GET and HEAD (which Vert.x answers with the headers alone). */
  static Route readOnly(Router router, String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

}
