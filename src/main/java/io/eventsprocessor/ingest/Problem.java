package io.eventsprocessor.ingest;

import io.eventsprocessor.event.FieldError;
import io.netty.handler.codec.http.HttpResponseStatus;
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
  public static void send(RoutingContext ctx, int status, String detail, List<FieldError> errors, JsonObject extensions) {
    send(ctx.response(), ctx.request().path(), status, detail, errors, extensions);
  }

  /** For answers given outside the router, such as to requests that are not valid HTTP. */
  static void send(HttpServerResponse response, String instance, int status, String detail, List<FieldError> errors,
      JsonObject extensions) {
    if (response.ended()) {
      return;
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
    response.setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.encode());
  }

  public static void send(RoutingContext ctx, int status, String detail, List<FieldError> errors) {
    send(ctx, status, detail, errors, new JsonObject());
  }

  public static void send(RoutingContext ctx, int status, String detail) {
    send(ctx, status, detail, List.of());
  }

  static JsonArray toJson(List<FieldError> errors) {
    JsonArray list = new JsonArray();
    errors.forEach(e -> list.add(new JsonObject().put("field", e.field()).put("message", e.message())));
    return list;
  }
}
