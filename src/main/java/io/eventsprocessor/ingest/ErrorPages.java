package io.eventsprocessor.ingest;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error the public server gives, as a problem body that names the problem: those Vert.x Web decides (no such
 * path, wrong method or media type, a body over its limit) and those the HTTP decoder does (not HTTP, lines or
 * headers too long).
 */
final class ErrorPages {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorPages.class);
  private static final String SINGLE = IngestVerticle.SINGLE;
  private static final String BATCH = IngestVerticle.BATCH;

  private ErrorPages() {}

  static void register(Router router, long bodyLimit, long batchBodyLimit) {
    router.errorHandler(400, ctx -> Problem.send(ctx, 400, "The request could not be read."));
    router.errorHandler(404, ctx -> Problem.send(ctx, 404,
        "No such endpoint: events go to POST " + SINGLE + ", batches to POST " + BATCH + "."));
    router.errorHandler(405, ctx -> {
      // Vert.x Web answers 405 only for a path some route has, so the path is one of ours.
      boolean events = ctx.request().path().equals(SINGLE) || isBatch(ctx);
      ctx.response().putHeader(HttpHeaders.ALLOW, events ? "POST" : "GET, HEAD");
      Problem.send(ctx, 405, "Method not allowed: " + ctx.request().path() + " takes " + (events ? "POST" : "GET or HEAD")
          + "; events go to POST " + SINGLE + ", batches to POST " + BATCH + ".");
    });
    router.errorHandler(413, ctx -> Problem.send(ctx, 413, isBatch(ctx)
        ? "The body is larger than the limit of " + batchBodyLimit + " bytes: split the batch."
        : "The body is larger than the limit of " + bodyLimit + " bytes."));
    router.errorHandler(417, ctx -> Problem.send(ctx, 417, "Only the expectation 100-continue is understood."));
    router.errorHandler(415, ctx -> Problem.send(ctx, 415, isBatch(ctx)
        ? "Batches must be sent with Content-Type: application/json or " + CloudEventsHttp.BATCH_MEDIA_TYPE + "."
        : "Events must be sent with Content-Type: application/json or " + CloudEventsHttp.MEDIA_TYPE + "."));
    router.errorHandler(500, ctx -> {
      LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      Problem.send(ctx, 500, "An unexpected error occurred; the events were not accepted.");
    });
  }

  /** Requests the HTTP decoder refused (headers or request line too long, not HTTP): a problem body too. */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = 400;
    String detail = "The request is not valid HTTP.";
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      detail = "The request line is longer than the limit of " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
          + " bytes.";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      detail = "The request headers are larger than the limit of " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE
          + " bytes.";
    }
    Problem.send(request.response(), null, status, detail, List.of(), new JsonObject());
    // As Vert.x does by default: what follows on this connection cannot be trusted to be framed right.
    request.connection().close();
  }

  private static boolean isBatch(RoutingContext ctx) {
    return BATCH.equals(ctx.request().path());
  }
}
