package io.eventsprocessor;

import static io.eventsprocessor.HttpClient.resource;
import static org.awaitility.Awaitility.await;

import io.eventsprocessor.FakeNotificationService.Received;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The real main verticle on a free port, configured per test, against a fake notification service. */
@ExtendWith(VertxExtension.class)
abstract class EndToEnd {
  static final Duration QUIET = Duration.ofMillis(700);

  Vertx vertx;
  FakeNotificationService notifications;
  MainVerticle main;
  HttpClient http;

  @BeforeEach
  void startFakeNotificationService(Vertx vertx) throws Exception {
    this.vertx = vertx;
    notifications = new FakeNotificationService(vertx).start().await(10, TimeUnit.SECONDS);
  }

  void startService(JsonObject overrides) throws Exception {
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("notify", new JsonObject().put("url", notifications.url()).put("timeout", "PT2S")
            .put("initialBackoff", "PT0.05S").put("maxBackoff", "PT0.2S"))
        .put("notifySink", new JsonObject().put("enabled", false))
        .mergeIn(overrides, true);
    main = new MainVerticle(Clock.systemUTC(), Map.of());
    vertx.deployVerticle(main, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
    http = new HttpClient(vertx, main.httpPort());
  }

  void startService() throws Exception {
    startService(new JsonObject());
  }

  List<Received> deliveredExactly(int count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> notifications.delivered().size() >= count);
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> notifications.delivered().size() == count);
    return notifications.delivered();
  }

  static String legacy(String name) {
    return resource("examples/legacy/" + name + ".json");
  }

  static String improved(String name) {
    return resource("examples/improved/" + name + ".json");
  }

  static String batch(String... events) {
    return "[" + String.join(",", events) + "]";
  }

}
