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

  private final Vertx vertx;
  private final List<Received> requests = new CopyOnWriteArrayList<>();
  private final Queue<Integer> scripted = new ConcurrentLinkedQueue<>();
  private HttpServer server;

  public FakeNotificationService(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<FakeNotificationService> start() {
    return vertx.createHttpServer()
        .requestHandler(this::handle)
        .listen(0, "127.0.0.1")
        .map(s -> {
          server = s;
          return this;
        });
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      Integer next = scripted.poll();
      int status = next == null ? 200 : next;
      JsonObject json;
      try {
        json = body.toJsonObject();
      } catch (RuntimeException e) {
        json = new JsonObject().put("unparseable", body.toString());
      }
      requests.add(new Received(json, request.getHeader("Idempotency-Key"), Instant.now(), status));
      request.response().setStatusCode(status).end();
    });
  }

  /** The next requests are answered with these statuses, in order, then 200 again. */
  public void answerNext(Integer... statuses) {
    scripted.addAll(List.of(statuses));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1/notify";
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
