package io.eventsprocessor.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference the service is measured against in {@code src/bench/run.py}: the least a Vert.x server must do to
 * take one event over HTTP, on the same Vert.x and the same machine as the service, so that the ratio between the
 * two holds where absolute figures do not (the load generator shares the cores).
 *
 * <pre>
 *   POST /json   reads the body, parses it as a JSON object with a string "type", answers 202
 *   POST /bus    the same, then sends the event on the event bus to one consumer that keeps it in a map
 *                (the service's hand-off from its HTTP edge to the verticle owning the users' state), answers 202
 *   POST /v1/notify  reads the body, answers 204: a notification service that costs the least, for the service's
 *                outbox to deliver to in another process (the runner's {@code --receiver bare})
 *   GET  /stats  {"stored", "keys", "notified"}: what the consumer got, so the runner can check /bus really
 *                delivered, and the notifications received
 * </pre>
 *
 * Not a test: {@code java -cp <test classpath> io.eventsprocessor.bench.BareServer [port] [instances]}, by default
 * port 8090 on loopback and one HTTP verticle per core.
 */
public final class BareServer {
  static final String HOST = "127.0.0.1";
  /** The service's own default for {@code http.bodyLimit}. */
  static final int BODY_LIMIT = 64 * 1024;
  static final String STORE = "bench.store";
  static final String STATS = "bench.stats";
  /** Notifications received on /v1/notify, over every HTTP verticle. */
  static final java.util.concurrent.atomic.LongAdder NOTIFIED = new java.util.concurrent.atomic.LongAdder();
  static final Buffer ACCEPTED = Buffer.buffer("{\"status\":\"accepted\"}");
  static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private BareServer() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new Store())
        .compose(id -> vertx.deployVerticle(() -> new Http(port), new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> System.out.printf("bare server on http://%s:%d, %d HTTP verticle(s)%n", HOST, port, instances))
        .onFailure(failure -> {
          failure.printStackTrace();
          System.exit(1);
        });
  }

  /** Deployed once per HTTP event loop; the instances share the port. */
  static final class Http extends VerticleBase {
    private final int port;

    Http(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
      Router router = Router.router(vertx);
      router.post("/json").handler(body).handler(ctx -> {
        if (parse(ctx) != null) {
          accepted(ctx);
        }
      });
      router.post("/bus").handler(body).handler(ctx -> {
        JsonObject event = parse(ctx);
        if (event != null) {
          vertx.eventBus().send(STORE, event);
          accepted(ctx);
        }
      });
      router.post("/v1/notify").handler(body).handler(ctx -> {
        NOTIFIED.increment();
        ctx.response().setStatusCode(204).end();
      });
      router.get("/stats").handler(ctx -> vertx.eventBus().<JsonObject>request(STATS, null)
          .onSuccess(reply -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
              .end(reply.body().encode()))
          .onFailure(ctx::fail));
      return vertx.createHttpServer().requestHandler(router).listen(port, HOST);
    }

    /** The body as an event, or null once it was answered 400. */
    private static JsonObject parse(RoutingContext ctx) {
      JsonObject event;
      try {
        event = ctx.body().asJsonObject();
      } catch (DecodeException | ClassCastException e) {
        event = null;
      }
      if (event == null || !(event.getValue("type") instanceof String)) {
        ctx.response().setStatusCode(400).end();
        return null;
      }
      return event;
    }

    private static void accepted(RoutingContext ctx) {
      ctx.response().setStatusCode(202).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(ACCEPTED);
    }
  }

  /** One instance, so a plain map on its one event loop, as the service's per-user state is. */
  static final class Store extends VerticleBase {
    private final Map<String, JsonObject> latestByUser = new HashMap<>();
    private long stored;

    @Override
    public Future<?> start() {
      return Future.all(
          vertx.eventBus().<JsonObject>localConsumer(STORE, this::store).completion(),
          vertx.eventBus().localConsumer(STATS, message -> message.reply(
              new JsonObject().put("stored", stored).put("keys", latestByUser.size())
                  .put("notified", NOTIFIED.sum()))).completion());
    }

    private void store(Message<JsonObject> message) {
      JsonObject event = message.body();
      stored++;
      latestByUser.put(String.valueOf(event.getValue("userId")), event);
    }
  }
}
