package io.eventsprocessor.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.Map;

/**
 * The yardstick of the throughput benchmark (src/bench): what bare Vert.x does with the same requests, on the same
 * machine, in the same run. {@code POST /json} parses the body and answers 202; {@code POST /bus} also sends the
 * event on the event bus to a consumer that puts it in a map. Not a test: started by src/bench/run.py.
 *
 * <pre>java -cp … io.eventsprocessor.bench.BareServer PORT [INSTANCES]</pre>
 */
public final class BareServer {
  private static final Buffer ACCEPTED = Buffer.buffer("{\"status\":\"accepted\"}");

  private BareServer() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new Store())
        .compose(id -> vertx.deployVerticle(() -> new Http(port), new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> System.out.println("bare server on http://127.0.0.1:" + port))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  /** The HTTP edge: as many instances as asked, sharing the port. */
  static final class Http extends VerticleBase {
    private final int port;

    Http(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      BodyHandler body = BodyHandler.create(false).setBodyLimit(64 * 1024);
      router.post("/json").handler(body).handler(ctx -> {
        if (parse(ctx) != null) {
          accepted(ctx);
        }
      });
      router.post("/bus").handler(body).handler(ctx -> {
        JsonObject event = parse(ctx);
        if (event != null) {
          vertx.eventBus().send("bare." + event.getString("type"), event);
          accepted(ctx);
        }
      });
      return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
    }

    private static JsonObject parse(RoutingContext ctx) {
      try {
        JsonObject event = ctx.body().asJsonObject();
        if (event != null && event.getString("type") != null) {
          return event;
        }
      } catch (RuntimeException e) {
        // answered below
      }
      ctx.response().setStatusCode(400).end();
      return null;
    }

    private static void accepted(RoutingContext ctx) {
      ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").end(ACCEPTED);
    }
  }

  /** The consumer of /bus: the latest event per user, in a map, as the simplest keeper of state. */
  static final class Store extends VerticleBase {
    private final Map<String, JsonObject> latest = new HashMap<>();

    @Override
    public Future<?> start() {
      for (String type : new String[] {"app_launch", "training_program_started", "training_program_finished"}) {
        vertx.eventBus().<JsonObject>localConsumer("bare." + type, m -> latest.put(m.body().getString("userId"), m.body()));
      }
      return Future.succeededFuture();
    }
  }
}
