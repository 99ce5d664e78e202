package io.eventsprocessor.ingest;

import io.eventsprocessor.event.Decoded;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventAddresses;
import io.eventsprocessor.event.EventDecoder;
import io.eventsprocessor.event.EventJson;
import io.eventsprocessor.event.FieldError;
import io.eventsprocessor.notify.OutboxGauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge: {@code POST /v1/event} decodes one event, answers at once, and puts the event on the bus
 * under its type's address (or the fallback address when no handler declared the type).
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  /** What a 503 asks the client to wait while the outbox drains. */
  static final int BUSY_RETRY_AFTER_SECONDS = 5;

  /** @param bodyLimit the largest request body accepted, in bytes */
  public record Settings(String host, int port, long bodyLimit) {}

  private final Settings settings;
  private final EventDecoder decoder;
  private final OutboxGauge outbox;
  private final Clock clock;
  private HttpServer server;

  public IngestVerticle(Settings settings, EventDecoder decoder, OutboxGauge outbox, Clock clock) {
    this.settings = settings;
    this.decoder = decoder;
    this.outbox = outbox;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.post("/v1/event")
        .consumes("application/json")
        .handler(BodyHandler.create(false).setBodyLimit(settings.bodyLimit()))
        .handler(this::ingest);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.errorHandler(400, ctx -> Problem.send(ctx, 400, "The request could not be read."));
    router.errorHandler(404, ctx -> Problem.send(ctx, 404, "No such endpoint: events go to POST /v1/event."));
    router.errorHandler(405, ctx -> Problem.send(ctx, 405, "Method not allowed: events go to POST /v1/event."));
    router.errorHandler(413, ctx -> Problem.send(ctx, 413,
        "The body is larger than the limit of " + settings.bodyLimit() + " bytes."));
    router.errorHandler(415, ctx -> Problem.send(ctx, 415,
        "Events must be sent as JSON, with Content-Type: application/json."));
    router.errorHandler(500, ctx -> {
      LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      Problem.send(ctx, 500, "An unexpected error occurred; the event was not accepted.");
    });
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(settings.port(), settings.host())
        .onSuccess(s -> {
          server = s;
          LOG.info("accepting events on http://{}:{}/v1/event", settings.host(), s.actualPort());
        });
  }

  private void ingest(RoutingContext ctx) {
    if (outbox.isFull()) {
      // Refuse rather than accept work whose notifications could not be kept; the client retries later.
      ctx.response().putHeader("Retry-After", String.valueOf(BUSY_RETRY_AFTER_SECONDS));
      Problem.send(ctx, 503, "The notification outbox is full (" + outbox.capacity()
          + " waiting); the event was not accepted. Retry after " + BUSY_RETRY_AFTER_SECONDS + " seconds.");
      return;
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      reject(ctx, List.of(new FieldError(EventDecoder.BODY, "is empty: send one event as a JSON object")));
      return;
    }
    Object document;
    try {
      document = JsonBody.parse(body);
    } catch (JsonBody.InvalidJson e) {
      reject(ctx, List.of(new FieldError(EventDecoder.BODY, e.getMessage())));
      return;
    }
    Decoded decoded = decoder.decode(document, clock.instant());
    if (decoded instanceof Decoded.Invalid invalid) {
      reject(ctx, invalid.errors());
      return;
    }
    Decoded.Valid valid = (Decoded.Valid) decoded;
    Event event = valid.event();
    JsonObject message = EventJson.toJson(event);
    if (valid.supported()) {
      vertx.eventBus().publish(EventAddresses.forType(event.type()), message);
    } else {
      vertx.eventBus().send(EventAddresses.UNSUPPORTED, message);
    }
    ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("id", event.id()).put("status", valid.supported() ? "accepted" : "unsupported").encode());
  }

  private void reject(RoutingContext ctx, List<FieldError> errors) {
    if (LOG.isInfoEnabled()) {
      LOG.info("event rejected from {}: {}", ctx.request().remoteAddress(),
          errors.stream().map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; ")));
    }
    Problem.send(ctx, 400, "The event is invalid: see errors for each field.", errors);
  }

  @Override
  public Future<?> stop() {
    return server.close().onSuccess(v -> LOG.info("no longer accepting events"));
  }

  public int actualPort() {
    return server.actualPort();
  }
}
