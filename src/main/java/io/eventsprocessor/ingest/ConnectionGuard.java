package io.eventsprocessor.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the connections of one HTTP edge within bounds, so that slow or idle clients cannot hold connections, and
 * the memory behind them, for ever:
 * <ul>
 *   <li>at most {@link Capacity#maxConnections} connections over every edge: one more is closed at once;</li>
 *   <li>a request's headers within {@code headersTimeout} of the connection's opening, and, on a kept-alive
 *       connection, within {@code idleTimeout + headersTimeout} of the previous answer (a silent connection is
 *       closed by the idle timeout first; one that trickles headers, by this);</li>
 *   <li>a request's body within {@code bodyTimeout} of its headers: a request still waiting for it is answered 408,
 *       and its connection closed.</li>
 * </ul>
 * One per edge, used on its event loop only.
 */
final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final String BODY_DEADLINE = "bodyDeadline";

  private final Vertx vertx;
  private final Capacity capacity;
  private final IngestStats stats;
  private final long headersMillis;
  private final long nextHeadersMillis;
  private final long bodyMillis;
  private final Map<HttpConnection, Watch> watched = new HashMap<>();

  /** A connection's deadline for its next request's headers, and its requests not answered yet. */
  private static final class Watch {
    long timer = -1;
    int requests;
  }

  ConnectionGuard(Vertx vertx, Capacity capacity, IngestStats stats, Duration idleTimeout, Duration headersTimeout,
      Duration bodyTimeout) {
    this.vertx = vertx;
    this.capacity = capacity;
    this.stats = stats;
    this.headersMillis = headersTimeout.toMillis();
    this.nextHeadersMillis = idleTimeout.plus(headersTimeout).toMillis();
    this.bodyMillis = bodyTimeout.toMillis();
  }

  /** The server's connection handler. */
  void connected(HttpConnection connection) {
    if (!capacity.openConnection()) {
      stats.connectionsRefused.increment();
      LOG.debug("connection from {} closed: {} connections are open already", connection.remoteAddress(),
          capacity.maxConnections());
      connection.close();
      return;
    }
    Watch watch = new Watch();
    watched.put(connection, watch);
    connection.closeHandler(closed -> {
      watched.remove(connection);
      vertx.cancelTimer(watch.timer);
      capacity.closeConnection();
    });
    awaitHeaders(connection, watch, headersMillis);
  }

  private void awaitHeaders(HttpConnection connection, Watch watch, long millis) {
    watch.timer = vertx.setTimer(millis, id -> {
      if (watch.requests == 0 && watched.containsKey(connection)) {
        stats.timedOut.increment();
        LOG.debug("connection from {} closed: no request headers in time", connection.remoteAddress());
        connection.close();
      }
    });
  }

  /** The router's first handler, for every request: its headers are in, its body's deadline starts. */
  void requestBegins(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    Watch watch = watched.get(connection);
    if (watch != null) {
      vertx.cancelTimer(watch.timer);
      watch.requests++;
    }
    long deadline = vertx.setTimer(bodyMillis, id -> bodyLate(ctx));
    ctx.put(BODY_DEADLINE, deadline);
    ctx.addEndHandler(answered -> {
      if (answered.failed() || ctx.request().isEnded()) {
        vertx.cancelTimer(deadline);
      } else {
        // Answered before its body was all in (a 401, a 413, a 503): the deadline still closes a body that never
        // ends, and goes as soon as the body does end. Left to fire, each such deadline kept its request for the
        // whole bodyTimeout: 30,000 of them under a flood answered 503.
        ctx.request().endHandler(end -> vertx.cancelTimer(deadline));
      }
      if (watch != null && --watch.requests == 0 && watched.containsKey(connection)) {
        awaitHeaders(connection, watch, nextHeadersMillis);
      }
    });
    ctx.next();
  }

  /** The body is in: what remains is the service's time, not the client's. */
  void bodyRead(RoutingContext ctx) {
    Long deadline = ctx.get(BODY_DEADLINE);
    if (deadline != null) {
      vertx.cancelTimer(deadline);
    }
  }

  private void bodyLate(RoutingContext ctx) {
    if (ctx.request().isEnded()) {
      return;
    }
    stats.timedOut.increment();
    LOG.debug("connection from {} closed: the request's body did not arrive in time", ctx.request().remoteAddress());
    HttpConnection connection = ctx.request().connection();
    if (ctx.response().ended()) {
      connection.close();
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    Problem.send(ctx, 408, "The request's body did not arrive within "
        + java.math.BigDecimal.valueOf(bodyMillis, 3).stripTrailingZeros().toPlainString()
        + " s of its headers; the connection is closed.")
        .onComplete(sent -> connection.close());
  }
}
