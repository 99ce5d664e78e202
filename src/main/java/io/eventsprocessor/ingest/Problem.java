package io.eventsprocessor.ingest;

import io.eventsprocessor.event.FieldError;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Error answers as RFC 9457 problem details: the status, what went wrong, and each offending field. */
public final class Problem {
  public static final String CONTENT_TYPE = "application/problem+json";

  private Problem() {}

  /** @param extensions members added to the problem (e.g. a batch's {@code results}); may be empty */
  /** @return when the answer is written (or at once, when the request was answered already) */
  public static Future<Void> send(RoutingContext ctx, int status, String detail, List<FieldError> errors,
      JsonObject extensions) {
    return send(ctx.response(), ctx.request().path(), status, detail, errors, extensions);
  }

  /** For answers given outside the router, such as to requests that are not valid HTTP. */
  static Future<Void> send(HttpServerResponse response, String instance, int status, String detail,
      List<FieldError> errors, JsonObject extensions) {
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject()
        .put("type", "about:blank")
        .put("title", HttpResponseStatus.valueOf(status).reasonPhrase())
        .put("status", status)
        .put("detail", detail);
    if (instance != null) {
      body.put("instance", instance);
    }
    if (!errors.isEmpty()) {
      body.put("errors", toJson(errors));
    }
    body.mergeIn(extensions);
    return response.setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.encode());
  }

  public static Future<Void> send(RoutingContext ctx, int status, String detail, List<FieldError> errors) {
    return send(ctx, status, detail, errors, new JsonObject());
  }

  public static Future<Void> send(RoutingContext ctx, int status, String detail) {
    return send(ctx, status, detail, List.of());
  }

  static JsonArray toJson(List<FieldError> errors) {
    JsonArray list = new JsonArray();
    errors.forEach(e -> list.add(new JsonObject().put("field", e.field()).put("message", e.message())));
    return list;
  }
}
