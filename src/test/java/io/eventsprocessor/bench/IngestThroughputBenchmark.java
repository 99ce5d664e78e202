package io.eventsprocessor.bench;

import io.eventsprocessor.FakeNotificationService;
import io.eventsprocessor.MainVerticle;
import io.eventsprocessor.service.ServiceConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Events per second through the whole service (HTTP, decoding, duplicates, the bus, both rule families and the
 * outbox delivering to a local receiver), one event per request and in batches, then how long delivery takes to
 * catch up. The load generator and the receiver run in the same JVM and on the same cores: the numbers are a
 * floor. Not a test: run it by hand (see the README).
 */
public final class IngestThroughputBenchmark {
  static final int CONNECTIONS = 32;

  private IngestThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.eventsprocessor"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    Vertx vertx = Vertx.vertx();
    FakeNotificationService receiver = new FakeNotificationService(vertx).start().await(10, TimeUnit.SECONDS);
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("notify", new JsonObject().put("url", receiver.url()))
        .put("notifySink", new JsonObject().put("enabled", false))
        .put("admin", new JsonObject().put("enabled", false))
        .put("rateLimit", new JsonObject().put("enabled", false))
        .put("state", new JsonObject().put("dir", Files.createTempDirectory("bench-state").toString()));
    MainVerticle main = new MainVerticle(Clock.systemUTC(), null, Map.of(), ServiceConfig.FAMILIES);
    vertx.deployVerticle(main, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS));

    run("warm-up, one event per request", client, main.httpPort(), events / 4, 1, "w");
    run("one event per request", client, main.httpPort(), events, 1, "s");
    run("batches of 99 events", client, main.httpPort(), events, 99, "b");
    long accepted = System.nanoTime();
    int expected = events / 4 / 3 + events / 3 + events / 99 * 33; // a congratulation per user
    long deadline = accepted + TimeUnit.MINUTES.toNanos(5);
    while (receiver.delivered().size() < expected && System.nanoTime() < deadline) {
      Thread.sleep(50); // a benchmark's poll, not a test's synchronisation
    }
    System.out.printf("%,d of %,d notifications delivered, the last %.1f s after the last event was accepted%n",
        receiver.delivered().size(), expected, (System.nanoTime() - accepted) / 1e9);
    System.out.println("outbox: " + vertx.eventBus().request(io.eventsprocessor.bus.EventAddresses.ADMIN_OUTBOX, null)
        .await(10, TimeUnit.SECONDS).body());
    vertx.close().await(1, TimeUnit.MINUTES);
    System.exit(0);
  }

  /** Each user launches, starts and finishes a 40-minute program: three events, one congratulation. */
  static JsonObject event(String prefix, int n) {
    int user = n / 3;
    String type = switch (n % 3) {
      case 0 -> "app_launch";
      case 1 -> "training_program_started";
      default -> "training_program_finished";
    };
    Instant at = Instant.parse("2021-03-01T10:00:00Z").plusSeconds((n % 3 == 2) ? 2400 : n % 3);
    return new JsonObject().put("id", prefix + n).put("type", type).put("userId", prefix + "-user-" + user)
        .put("deviceId", "d").put("occurredAt", at.toString()).put("data", new JsonObject().put("programId", "p"));
  }

  /**
   * @param batch events per request: 1, or a multiple of 3 so that a user's three events share one batch; a
   *              connection sends a user's events in order, as one app does
   */
  static void run(String name, WebClient client, int port, int events, int batch, String prefix) throws Exception {
    int usersPerUnit = Math.max(1, batch / 3);
    int units = events / (3 * usersPerUnit);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < CONNECTIONS; w++) {
      workers.add(worker(client, port, next, units, batch, prefix, failed));
    }
    Future.all(workers).await(10, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    int sent = units * 3 * usersPerUnit;
    System.out.printf("%s: %,d events in %.1f s, %,.0f events/s (%d failed requests)%n",
        name, sent, seconds, sent / seconds, failed.get());
  }

  /** One connection's worth of load, a request at a time: a unit (one user, or a batch of users) after another. */
  static Future<Void> worker(WebClient client, int port, AtomicInteger next, int units, int batch, String prefix,
      AtomicInteger failed) {
    int unit = next.getAndIncrement();
    if (unit >= units) {
      return Future.succeededFuture();
    }
    Future<Void> sent;
    if (batch == 1) {
      int first = unit * 3;
      sent = send(client, port, "/v1/event", event(prefix, first).toBuffer(), failed)
          .compose(v -> send(client, port, "/v1/event", event(prefix, first + 1).toBuffer(), failed))
          .compose(v -> send(client, port, "/v1/event", event(prefix, first + 2).toBuffer(), failed));
    } else {
      JsonArray array = new JsonArray();
      for (int i = 0; i < batch; i++) {
        array.add(event(prefix, unit * batch + i));
      }
      sent = send(client, port, "/v1/events", array.toBuffer(), failed);
    }
    return sent.compose(v -> worker(client, port, next, units, batch, prefix, failed));
  }

  static Future<Void> send(WebClient client, int port, String path, Buffer body, AtomicInteger failed) {
    return client.request(HttpMethod.POST, port, "127.0.0.1", path).putHeader("Content-Type", "application/json")
        .sendBuffer(body)
        .transform(ar -> {
          if (ar.failed() || ar.result().statusCode() >= 300) {
            failed.incrementAndGet();
          }
          return Future.succeededFuture();
        });
  }
}
