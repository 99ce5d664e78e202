package io.eventsprocessor;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on loopback standing in for the notification service. It records every request and
 * answers 200, or, when told to misbehave, the scripted statuses first.
 */
public final class FakeNotificationService {

  /** One request as received: the body, its Idempotency-Key, when it arrived, and what was answered. */
  public record Received(JsonObject body, String idempotencyKey, Instant at, int status) {
    public String kind() {
      return body.getString("kind");
    }

    public String userId() {
      return body.getString("userId");
    }

    public String message() {
      return body.getString("message");
    }
  }

  /** A scripted answer; a null {@code retryAfter} sends no Retry-After header. */
  private record Answer(int status, String retryAfter) {}

  private final Vertx vertx;
  private final List<Received> requests = new CopyOnWriteArrayList<>();
  private final Queue<Answer> scripted = new ConcurrentLinkedQueue<>();
  private volatile boolean hanging;
  private volatile long answerAfterMs;
  private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger mostOpen = new java.util.concurrent.atomic.AtomicInteger();
  private HttpServer server;
  private int port;

  public FakeNotificationService(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<FakeNotificationService> start() {
    return vertx.createHttpServer()
        .requestHandler(this::handle)
        .listen(port, "127.0.0.1")
        .map(s -> {
          server = s;
          port = s.actualPort();
          return this;
        });
  }

  /** Goes down: connections are refused until {@link #start()} listens again on the same port. */
  public Future<Void> stop() {
    return server.close();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      JsonObject json;
      try {
        json = body.toJsonObject();
      } catch (RuntimeException e) {
        json = new JsonObject().put("unparseable", body.toString());
      }
      if (hanging) {
        requests.add(new Received(json, request.getHeader("Idempotency-Key"), Instant.now(), 0));
        return; // never answers
      }
      Answer next = scripted.poll();
      Answer answer = next == null ? new Answer(200, null) : next;
      requests.add(new Received(json, request.getHeader("Idempotency-Key"), Instant.now(), answer.status()));
      if (answer.retryAfter() != null) {
        request.response().putHeader("Retry-After", answer.retryAfter());
      }
      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      Runnable reply = () -> {
        open.decrementAndGet();
        request.response().setStatusCode(answer.status()).end();
      };
      if (answerAfterMs > 0) {
        vertx.setTimer(answerAfterMs, t -> reply.run());
      } else {
        reply.run();
      }
    });
  }

  /** Answers each request only after this long, like a slow but healthy service. */
  public void answerAfter(java.time.Duration delay) {
    answerAfterMs = delay.toMillis();
  }

  /** The most requests that were open (received, not yet answered) at once. */
  public int mostRequestsAtOnce() {
    return mostOpen.get();
  }

  /** The next requests are answered with these statuses, in order, then 200 again. */
  public void answerNext(Integer... statuses) {
    for (int status : statuses) {
      scripted.add(new Answer(status, null));
    }
  }

  /** The next request is answered with this status and Retry-After header. */
  public void answerNext(int status, String retryAfter) {
    scripted.add(new Answer(status, retryAfter));
  }

  /** While hanging, requests are received and never answered. */
  public void hang(boolean hang) {
    hanging = hang;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/v1/notify";
  }

  /** Every request, failed attempts included. */
  public List<Received> requests() {
    return List.copyOf(requests);
  }

  /** The notifications answered with success: what the service "received". */
  public List<Received> delivered() {
    return requests.stream().filter(r -> r.status() >= 200 && r.status() < 300).toList();
  }
}
