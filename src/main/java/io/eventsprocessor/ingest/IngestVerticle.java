package io.eventsprocessor.ingest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.eventsprocessor.event.Decoded;
import io.eventsprocessor.event.EventDecoder;
import io.eventsprocessor.event.FieldError;
import io.eventsprocessor.ingest.Admission.Admitted;
import io.eventsprocessor.ingest.Admission.Forbidden;
import io.eventsprocessor.ingest.Admission.Item;
import io.eventsprocessor.ingest.Admission.Status;
import io.eventsprocessor.metrics.HttpServerMeters;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge, an adapter: {@code POST /v1/event} takes one event, {@code POST /v1/events} a batch. Both pass the
 * {@link Gate} before their body is read, decode every event through the one {@link EventDecoder}, and leave the
 * events to the {@link Admission}; this class turns its verdict into HTTP answers. The same server answers the
 * probes ({@link Health}) and the API document ({@link ApiDocument}), and every error it gives is a problem body
 * ({@link ErrorPages}).
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  /** What a 503 asks the client to wait while the outbox drains. */
  static final int BUSY_RETRY_AFTER_SECONDS = 5;
  public static final String SINGLE = "/v1/event";
  public static final String BATCH = "/v1/events";
  private static final String CALLER = "caller";
  /** Rejected events named one by one in a batch's log line; the rest are counted. */
  private static final int LOGGED_REJECTIONS = 5;

  /**
   * @param bodyLimit      the largest single-event body, in bytes
   * @param batchBodyLimit the largest batch body, in bytes
   * @param batchMaxEvents the most events in one batch
   * @param trustedProxies the proxies whose forwarded address is the client's (see {@link ClientAddresses})
   * @param forwardedHeader the one header those proxies write the client's address in
   * @param idleTimeout    a connection with nothing read or written this long is closed
   * @param headersTimeout how long a connection may take to deliver a request's headers (see {@link ConnectionGuard})
   * @param bodyTimeout    how long a request may take to deliver its body, from its headers
   * @param maxConnections connections open at once, over every edge
   * @param bodyBytesInFlight bytes of request bodies held at once, from their arrival to their answer, over every edge
   * @param drainTimeout   at a stop, how long the requests in flight may take to finish
   */
  public record Settings(String host, int port, long bodyLimit, long batchBodyLimit, int batchMaxEvents,
      List<String> trustedProxies, ClientAddresses.Header forwardedHeader, Duration idleTimeout, Duration headersTimeout, Duration bodyTimeout,
      int maxConnections, long bodyBytesInFlight, Duration drainTimeout) {}

  private final Settings settings;
  private final EventDecoder decoder;
  private final Gate gate;
  private final Admission admission;
  private final HttpServerMeters requests;
  private final Clock clock;
  private HttpServer server;

  public IngestVerticle(Settings settings, EventDecoder decoder, Gate gate, Admission admission,
      HttpServerMeters requests, Clock clock) {
    this.settings = settings;
    this.decoder = decoder;
    this.gate = gate;
    this.admission = admission;
    this.requests = requests;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    ConnectionGuard guard = new ConnectionGuard(vertx, gate.capacity(), gate.stats(), settings.idleTimeout(),
        settings.headersTimeout(), settings.bodyTimeout());
    guard.start();
    Router router = Router.router(vertx);
    router.route().handler(requests);
    // First for every request: its headers are in, the time its body may take starts.
    router.route().handler(guard::requestBegins);
    // How often, and who may post, is decided before the body is read: a flooding or unknown caller costs no
    // parsing, and a flood of wrong credentials no checking of them. Vert.x Web wants a route's body handler before
    // its other handlers, hence two routes per path.
    for (String path : List.of(SINGLE, BATCH)) {
      router.post(path).handler(this::limitAddress).handler(this::authenticate).handler(this::refuseWhileBusy);
    }
    Route single = router.post(SINGLE).consumes(EventDecoder.JSON);
    decoder.ownMediaTypes().forEach(single::consumes);
    single.handler(new BodyReader(settings.bodyLimit(), gate.capacity(), guard, gate.stats())).handler(this::ingestOne);
    router.post(BATCH).consumes(EventDecoder.JSON).consumes(CloudEventsHttp.BATCH_MEDIA_TYPE)
        .handler(new BodyReader(settings.batchBodyLimit(), gate.capacity(), guard, gate.stats()))
        .handler(this::ingestBatch);
    Health.routes(router, gate.readiness());
    ApiDocument.routes(router, vertx);
    ErrorPages.register(router, settings.bodyLimit(), settings.batchBodyLimit());
    // HTTP/1.1 only: with cleartext HTTP/2 on, Vert.x makes a connection (and calls the guard) only once its first
    // bytes arrive, and a client that sends none would never be counted nor timed.
    HttpServerOptions options = new HttpServerOptions()
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeout().toMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    return vertx.createHttpServer(options)
        .connectionHandler(guard::connected)
        .invalidRequestHandler(ErrorPages::invalidRequest)
        .requestHandler(router)
        .listen(settings.port(), settings.host())
        .onSuccess(s -> {
          server = s;
          LOG.info("accepting events on http://{}:{}{} and {}", settings.host(), s.actualPort(), SINGLE, BATCH);
        });
  }

  private void authenticate(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Future<Caller> checked = gate.authenticator().authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (checked.isComplete()) {
      // Known at once (no credentials needed, a write key, a token checked in place): the body handler is next.
      authenticated(ctx, checked);
      return;
    }
    // The check completes later; the body must wait for the body handler meanwhile.
    if (!request.isEnded()) {
      request.pause();
    }
    checked.onComplete(result -> {
      // As Vert.x's own authentication handlers do: resuming delivers on a later turn of the event loop, after the
      // body handler (or the answer below) has taken the request.
      if (!request.isEnded()) {
        request.resume();
      }
      authenticated(ctx, result);
    });
  }

  private void authenticated(RoutingContext ctx, AsyncResult<Caller> result) {
    if (result.succeeded()) {
      ctx.put(CALLER, result.result());
      ctx.next();
      return;
    }
    HttpServerRequest request = ctx.request();
    gate.stats().unauthorized.increment();
    LOG.atInfo().addKeyValue("clientAddress", address(request))
        .log("401 to {} on {}: {}", address(request), request.path(), result.cause().getMessage());
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    Problem.send(ctx, 401, "Missing or invalid credentials.");
  }

  /**
   * While the service cannot take events (the outbox is full, …), a request is refused whole, before its body is
   * read: better than accepting events whose effects could not be kept. The client sends it again later.
   */
  private void refuseWhileBusy(RoutingContext ctx) {
    String refusal = gate.readiness().refusal();
    if (refusal == null) {
      ctx.next();
      return;
    }
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(BUSY_RETRY_AFTER_SECONDS));
    Problem.send(ctx, 503, refusal + "; nothing was accepted. Retry after " + BUSY_RETRY_AFTER_SECONDS + " seconds.");
  }

  /**
   * Every request is limited per client address, before its credentials are checked or its body read: with a write
   * key that every copy of the app holds, or tokens to try, credentials alone do not stop a flood.
   */
  private void limitAddress(RoutingContext ctx) {
    long wait = gate.perAddress().tryTake(address(ctx.request()));
    if (wait == 0) {
      ctx.next();
      return;
    }
    gate.stats().rateLimited.increment();
    LOG.debug("429 to {}: over the rate per address", address(ctx.request()));
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds(wait)));
    Problem.send(ctx, 429, "Too many requests from this address: retry after the time in Retry-After.");
  }

  private void ingestOne(RoutingContext ctx) {
    Instant receivedAt = clock.instant();
    HttpServerRequest request = ctx.request();
    String mediaType = mediaType(request);
    boolean binary = mediaType.equals(EventDecoder.JSON) && CloudEventsHttp.isBinary(request.headers());
    // Binary mode may have no body at all: its data is optional.
    Object document = readBody(ctx, binary ? null : "is empty: send one event as a JSON object");
    if (document == UNREADABLE) {
      return;
    }
    if (document instanceof JsonArray && !binary) {
      // Most likely a batch sent to the wrong endpoint: say where arrays go.
      rejectRequest(ctx, new FieldError(EventDecoder.BODY, "must be a JSON object (one event), not an array: "
          + "POST /v1/events takes an array of events"), "POST /v1/event takes one event; send arrays of events to "
          + "POST /v1/events.");
      return;
    }
    if (binary) {
      // Binary-mode CloudEvents: the headers are the attributes and the body is the data.
      document = CloudEventsHttp.structured(request.headers(), request.getHeader(HttpHeaders.CONTENT_TYPE), document);
      mediaType = CloudEventsHttp.MEDIA_TYPE;
    }
    // A body of plain "null" is a null document: the decoder says what is wrong with it.
    admit(ctx, Collections.singletonList(document), mediaType, receivedAt, items -> answerOne(ctx, items.get(0)));
  }

  private static void answerOne(RoutingContext ctx, Item item) {
    switch (item.status()) {
      case ACCEPTED, UNSUPPORTED -> answer(ctx, 202, item);
      case DUPLICATE -> answer(ctx, 200, item);
      case REJECTED -> Problem.send(ctx, 400, "The event is invalid: see errors for each field.", item.errors());
      case RATE_LIMITED -> {
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds(item.retryAfterNanos())));
        Problem.send(ctx, 429, "Too many events of this user: retry after the time in Retry-After.");
      }
      case UNAVAILABLE -> {
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds(item.retryAfterNanos())));
        Problem.send(ctx, 503, "The event was not accepted: " + item.detail()
            + ". Send it again after the time in Retry-After.");
      }
    }
  }

  private static void answer(RoutingContext ctx, int status, Item item) {
    // What JsonObject's encoding gives, written directly: the answer to most requests, not worth a tree and a
    // serializer's lookups each time.
    StringBuilder body = new StringBuilder(48 + item.id().length()).append("{\"id\":\"");
    JsonStringEncoder.getInstance().quoteAsString(item.id(), body);
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, EventDecoder.JSON)
        .end(body.append("\",\"status\":\"").append(item.status().wire).append("\"}").toString());
  }

  private void ingestBatch(RoutingContext ctx) {
    Instant receivedAt = clock.instant();
    Object document = readBody(ctx, "is empty: send a JSON array of events");
    if (document == UNREADABLE) {
      return;
    }
    if (!(document instanceof JsonArray array)) {
      rejectRequest(ctx, new FieldError(EventDecoder.BODY, "must be a JSON array of events"));
      return;
    }
    if (array.isEmpty()) {
      rejectRequest(ctx, new FieldError(EventDecoder.BODY, "must hold at least one event"));
      return;
    }
    if (array.size() > settings.batchMaxEvents()) {
      Problem.send(ctx, 413, "The batch holds " + array.size() + " events; at most " + settings.batchMaxEvents()
          + " are accepted in one request: split the batch.");
      return;
    }
    String mediaType = mediaType(ctx.request()).equals(CloudEventsHttp.BATCH_MEDIA_TYPE)
        ? CloudEventsHttp.MEDIA_TYPE
        : EventDecoder.JSON;
    List<Object> documents = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      documents.add(array.getValue(i));
    }
    admit(ctx, documents, mediaType, receivedAt, items -> answerBatch(ctx, items));
  }

  private static void answerBatch(RoutingContext ctx, List<Item> items) {
    JsonArray results = new JsonArray();
    items.forEach(item -> results.add(item.toJson()));
    long wait = items.stream().mapToLong(Item::retryAfterNanos).max().orElse(0);
    Item unavailable = items.stream().filter(item -> item.status() == Status.UNAVAILABLE).findFirst().orElse(null);
    if (unavailable != null) {
      // As for 429: what was taken is answered, and resending the whole batch is safe.
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds(wait)));
      Problem.send(ctx, 503, "Some events were not accepted (" + unavailable.detail() + "; see results): send the "
          + "batch again after the time in Retry-After.", List.of(), new JsonObject().put("results", results));
      return;
    }
    if (wait > 0) {
      // The events before each limited user's first limited one were taken; resending the whole batch is safe,
      // those answer "duplicate".
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds(wait)));
      Problem.send(ctx, 429, "Some events were over their user's rate and were not taken (see results): "
          + "send the batch again after the time in Retry-After.", List.of(), new JsonObject().put("results", results));
      return;
    }
    ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, EventDecoder.JSON)
        .end(new JsonObject().put("results", results).encode());
  }

  /** Stands for a body that was not read: the request has been answered. */
  private static final Object UNREADABLE = new Object();

  /**
   * The body's JSON (an object, an array, a string, a number, a boolean or null), or {@link #UNREADABLE} after
   * answering 400.
   *
   * @param whenEmpty what the 400 says of an empty body; null when an empty body is fine (then null is returned)
   */
  private Object readBody(RoutingContext ctx, String whenEmpty) {
    Buffer body = ctx.get(BodyReader.BODY);
    if (body == null || body.length() == 0) {
      if (whenEmpty == null) {
        return null;
      }
      rejectRequest(ctx, new FieldError(EventDecoder.BODY, whenEmpty));
      return UNREADABLE;
    }
    try {
      return JsonBody.parse(body);
    } catch (JsonBody.InvalidJson e) {
      rejectRequest(ctx, new FieldError(EventDecoder.BODY, e.getMessage()));
      return UNREADABLE;
    }
  }

  /**
   * The path both endpoints share: decodes every document, leaves the events to the admission, and answers with
   * {@code answer} once every event has its answer (a refused request, 403, is answered here).
   */
  private void admit(RoutingContext ctx, List<Object> documents, String mediaType, Instant receivedAt,
      Consumer<List<Item>> answer) {
    List<Decoded> decoded = new ArrayList<>(documents.size());
    for (Object document : documents) {
      decoded.add(decoder.decode(document, mediaType, receivedAt));
    }
    admission.admit(ctx.get(CALLER), decoded).onComplete(done -> {
      if (done.failed()) {
        ctx.fail(done.cause());
      } else if (done.result() instanceof Forbidden forbidden) {
        LOG.atInfo().addKeyValue("userId", forbidden.userId()).addKeyValue("clientAddress", address(ctx.request()))
            .log("403 to {}: user {} posted an event of user {}", address(ctx.request()), forbidden.subject(),
                forbidden.userId());
        Problem.send(ctx, 403, "The credentials do not allow posting events of this user.");
      } else {
        List<Item> items = ((Admitted) done.result()).items();
        logRejections(ctx, items);
        answer.accept(items);
      }
    });
  }

  private void rejectRequest(RoutingContext ctx, FieldError error) {
    rejectRequest(ctx, error, BATCH.equals(ctx.request().path()) ? "The batch could not be read: see errors."
        : "The event is invalid: see errors for each field.");
  }

  private void rejectRequest(RoutingContext ctx, FieldError error, String detail) {
    gate.stats().rejected.increment();
    // A rejected event has no id to log: the client's address is what a log pipeline can group rejections by.
    String client = address(ctx.request());
    LOG.atInfo().addKeyValue("clientAddress", client).log("request rejected from {} on {}: {} {}", client,
        ctx.request().path(), error.field(), error.message());
    Problem.send(ctx, 400, detail, List.of(error));
  }

  private void logRejections(RoutingContext ctx, List<Item> items) {
    if (!LOG.isInfoEnabled() || items.stream().noneMatch(item -> item.status() == Status.REJECTED)) {
      return;
    }
    List<Item> rejected = items.stream().filter(item -> item.status() == Status.REJECTED).toList();
    String details = rejected.stream().limit(LOGGED_REJECTIONS)
        .map(item -> (items.size() > 1 ? "[" + item.index() + "] " : "")
            + item.errors().stream().map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; ")))
        .collect(Collectors.joining(" | "));
    String client = address(ctx.request());
    LOG.atInfo().addKeyValue("clientAddress", client).log("{} of {} event(s) rejected from {}: {}{}", rejected.size(),
        items.size(), client, details, rejected.size() > LOGGED_REJECTIONS ? " | …" : "");
  }

  /** The media type without its parameters, lower-cased. */
  private static String mediaType(HttpServerRequest request) {
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  /** The client's address (see {@link ClientAddresses}), for the per-address rate and the logs. */
  private String address(HttpServerRequest request) {
    return gate.clients().of(request);
  }

  /** Whole seconds, rounded up, at least 1: a client that waits that long gets through. */
  static long retryAfterSeconds(long nanos) {
    return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
  }

  /**
   * A graceful stop (SIGTERM, undeploy): no new connection is taken, idle ones are closed, and the requests in
   * flight are read to the end and answered (the rules, stopped after the edge, still apply their events), for at
   * most {@code drainTimeout}; what is still open then is closed.
   */
  @Override
  public Future<?> stop() {
    gate.readiness().stopping();
    LOG.info("draining: no new connections; requests in flight have {} to finish", settings.drainTimeout());
    return server.shutdown(settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .onSuccess(v -> LOG.info("no longer accepting events"));
  }

  public int actualPort() {
    return server.actualPort();
  }
}
