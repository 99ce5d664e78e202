package io.eventsprocessor.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
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
 * The deadlines are fields of each connection's watch, checked by one sweep every tenth of the shortest timeout (no
 * more often than every 10 ms, at least once a second): a request sets and clears numbers, not timers, and a
 * deadline is kept late by at most a sweep's period, never early. One per edge, used on its event loop only.
 */
final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final long NONE = Long.MAX_VALUE;

  private final Vertx vertx;
  private final Capacity capacity;
  private final IngestStats stats;
  private final long headersNanos;
  private final long nextHeadersNanos;
  private final long bodyNanos;
  private final long bodyMillis;
  private final Map<HttpConnection, Watch> watched = new HashMap<>();

  /**
   * A connection's deadline for its next request's headers, its requests not answered yet, and the one whose body is
   * being read (HTTP/1.1 reads one request at a time) with its deadline.
   */
  private static final class Watch {
    final HttpConnection connection;
    long headersDeadline = NONE;
    int requests;
    RoutingContext reading;
    long bodyDeadline = NONE;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }
  }

  ConnectionGuard(Vertx vertx, Capacity capacity, IngestStats stats, Duration idleTimeout, Duration headersTimeout,
      Duration bodyTimeout) {
    this.vertx = vertx;
    this.capacity = capacity;
    this.stats = stats;
    this.headersNanos = headersTimeout.toNanos();
    this.nextHeadersNanos = idleTimeout.plus(headersTimeout).toNanos();
    this.bodyNanos = bodyTimeout.toNanos();
    this.bodyMillis = bodyTimeout.toMillis();
  }

  /** Starts the sweep; on the edge's event loop (it ends with the edge's deployment, as its timers do). */
  void start() {
    long period = Math.max(10, Math.min(1000, Math.min(headersNanos, bodyNanos) / 10_000_000));
    vertx.setPeriodic(period, id -> sweep(System.nanoTime()));
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
    Watch watch = new Watch(connection);
    watch.headersDeadline = System.nanoTime() + headersNanos;
    watched.put(connection, watch);
    connection.closeHandler(closed -> {
      watched.remove(connection);
      capacity.closeConnection();
    });
  }

  /** The router's first handler, for every request: its headers are in, its body's deadline starts. */
  void requestBegins(RoutingContext ctx) {
    Watch watch = watched.get(ctx.request().connection());
    if (watch != null) {
      watch.headersDeadline = NONE;
      watch.requests++;
      watch.reading = ctx;
      watch.bodyDeadline = System.nanoTime() + bodyNanos;
      ctx.addEndHandler(answered -> {
        // Answered before its body was all in (a 401, a 413, a 503): the body's deadline stays until it ends, so a
        // body that never does still closes the connection.
        if (--watch.requests == 0 && watched.containsKey(watch.connection)) {
          watch.headersDeadline = System.nanoTime() + nextHeadersNanos;
        }
      });
    }
    ctx.next();
  }

  /** The body is in: what remains is the service's time, not the client's. */
  void bodyRead(RoutingContext ctx) {
    Watch watch = watched.get(ctx.request().connection());
    if (watch != null && watch.reading == ctx) {
      watch.reading = null;
      watch.bodyDeadline = NONE;
    }
  }

  private void sweep(long now) {
    if (watched.isEmpty()) {
      return;
    }
    for (Watch watch : List.copyOf(watched.values())) {
      RoutingContext reading = watch.reading;
      if (reading != null && (reading.request().isEnded() || now - watch.bodyDeadline >= 0)) {
        watch.reading = null;
        watch.bodyDeadline = NONE;
        if (!reading.request().isEnded()) {
          bodyLate(reading);
          continue;
        }
      }
      if (watch.requests == 0 && watch.headersDeadline != NONE && now - watch.headersDeadline >= 0) {
        watch.headersDeadline = NONE;
        stats.timedOut.increment();
        LOG.debug("connection from {} closed: no request headers in time", watch.connection.remoteAddress());
        watch.connection.close();
      }
    }
  }

  private void bodyLate(RoutingContext ctx) {
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
