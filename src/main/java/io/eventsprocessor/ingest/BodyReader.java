package io.eventsprocessor.ingest;

import io.netty.handler.codec.DecoderException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request's body into memory, as Vert.x Web's {@code BodyHandler} does (413 over the limit, declared or
 * not; {@code Expect: 100-continue} honoured), and in addition counts it against the {@link Capacity} shared by all
 * edges, until the request is answered: a body that does not fit is answered 503 and its connection closed, rather
 * than filling the heap. A body of a declared length takes all of it at once, before it is read, into a buffer of
 * exactly that size (what the budget counts is what the heap holds); a chunked one takes its chunks as they come.
 * Once the body is in, the request's deadline no longer runs (see {@link ConnectionGuard}).
 */
final class BodyReader implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(BodyReader.class);
  /** Where the body is for the next handler: a {@link Buffer}, empty when the request had none. */
  static final String BODY = "body";
  private static final int INITIAL_BUFFER = 1024;

  private final long limit;
  private final Capacity capacity;
  private final ConnectionGuard guard;
  private final IngestStats stats;

  BodyReader(long limit, Capacity capacity, ConnectionGuard guard, IngestStats stats) {
    this.limit = limit;
    this.capacity = capacity;
    this.guard = guard;
    this.stats = stats;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long declared = contentLength(request);
    if (declared > limit) {
      ctx.fail(413);
      return;
    }
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
      ctx.fail(417);
      return;
    }
    if (declared >= 0 && !capacity.takeBodyBytes(declared)) {
      overBudget(ctx);
      return;
    }
    // The bytes taken go back whatever happens next.
    Reading reading = new Reading(ctx, declared);
    ctx.addEndHandler(done -> capacity.releaseBodyBytes(reading.held));
    if (expect != null && request.version() != HttpVersion.HTTP_1_0) {
      ctx.response().writeContinue();
    }
    if (request.isEnded()) {
      // Nothing more will come (the handlers before this one keep the request paused, so only an empty body can
      // have ended already): Vert.x refuses an end handler on an ended request.
      reading.end(null);
      return;
    }
    request.handler(reading::chunk).exceptionHandler(reading::failed).endHandler(reading::end).resume();
  }

  private static long contentLength(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      // The HTTP decoder refuses a malformed Content-Length before this is reached.
      return -1;
    }
  }

  /** The budget is spent: the client sends it again later, the connection is closed rather than read on. */
  private void overBudget(RoutingContext ctx) {
    stats.overBudget.increment();
    LOG.debug("503 to {}: request bodies in flight over {} bytes", ctx.request().remoteAddress(),
        capacity.maxBodyBytes());
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(IngestVerticle.BUSY_RETRY_AFTER_SECONDS))
        .putHeader(HttpHeaders.CONNECTION, "close");
    Problem.send(ctx, 503, "The service holds as many request bodies as it can now; nothing was accepted. Retry "
        + "after " + IngestVerticle.BUSY_RETRY_AFTER_SECONDS + " seconds.")
        .onComplete(sent -> ctx.request().connection().close());
  }

  /** One request's body on its way in. */
  private final class Reading {
    final RoutingContext ctx;
    final boolean declared;
    final Buffer body;
    long held;
    boolean refused;

    /** @param declared the body's length, taken from the budget already; -1 when it comes in chunks */
    Reading(RoutingContext ctx, long declared) {
      this.ctx = ctx;
      this.declared = declared >= 0;
      this.held = Math.max(0, declared);
      this.body = Buffer.buffer((int) (this.declared ? declared : Math.min(INITIAL_BUFFER, limit)));
    }

    void chunk(Buffer chunk) {
      if (refused) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        refused = true;
        // The rest is not read: the connection is closed once the answer is sent, so that what was read goes with it
        // (its bytes leave the budget with the answer; kept open, the client could trickle on and hold them).
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        ctx.addEndHandler(done -> ctx.request().connection().close());
        ctx.fail(413);
        return;
      }
      if (!declared) {
        if (!capacity.takeBodyBytes(chunk.length())) {
          refused = true;
          overBudget(ctx);
          return;
        }
        held += chunk.length();
      }
      body.appendBuffer(chunk);
    }

    void failed(Throwable failure) {
      if (refused) {
        return;
      }
      refused = true;
      if (failure instanceof DecoderException) {
        // A chunked body that is not framed right.
        ctx.fail(400, failure);
      } else {
        // The connection went away mid-body (the client left, or a deadline closed it): nobody to answer.
        LOG.debug("request body from {} not read: {}", ctx.request().remoteAddress(), failure.toString());
      }
    }

    void end(Void ended) {
      if (refused) {
        return;
      }
      guard.bodyRead(ctx);
      ctx.put(BODY, body);
      ctx.next();
    }
  }
}
