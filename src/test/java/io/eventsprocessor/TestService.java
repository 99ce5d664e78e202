package io.eventsprocessor;

import static org.awaitility.Awaitility.await;

import io.eventsprocessor.FakeNotificationService.Received;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real service deployed on free ports with its own state directory, next to a fake notification service;
 * for the end-to-end tests. Used from the test thread.
 */
public final class TestService {
  static final Duration QUIET = Duration.ofMillis(700);

  final Vertx vertx;
  final Path stateDir;
  public final FakeNotificationService notifications;
  private String deploymentId;
  public MainVerticle main;
  /** The public API's client: every response it receives is held to the OpenAPI contract. */
  public HttpClient http;
  public HttpClient admin;

  public TestService(Vertx vertx, Path stateDir) throws Exception {
    this.vertx = vertx;
    this.stateDir = stateDir;
    this.notifications = new FakeNotificationService(vertx).start().await(10, TimeUnit.SECONDS);
  }

  /** Defaults fit for tests: fast retries, no local sink, admin on a free port; then {@code overrides}. */
  JsonObject config(JsonObject overrides) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("notify", new JsonObject().put("url", notifications.url()).put("timeout", "PT2S")
            .put("initialBackoff", "PT0.05S").put("maxBackoff", "PT0.2S")
            .put("breaker", new JsonObject().put("resetTimeout", "PT0.5S")))
        .put("notifySink", new JsonObject().put("enabled", false))
        .put("admin", new JsonObject().put("port", 0))
        .put("state", new JsonObject().put("dir", stateDir.toString()).put("snapshotInterval", "PT0.2S"))
        .mergeIn(overrides, true);
  }

  public TestService start(JsonObject overrides) throws Exception {
    deploy(overrides).await(10, TimeUnit.SECONDS);
    return this;
  }

  TestService start() throws Exception {
    return start(new JsonObject());
  }

  Future<String> deploy(JsonObject overrides) {
    MainVerticle deployed = new MainVerticle(Clock.systemUTC(), Map.of());
    return vertx.deployVerticle(deployed, new DeploymentOptions().setConfig(config(overrides))).onSuccess(id -> {
      deploymentId = id;
      main = deployed;
      http = new HttpClient(vertx, deployed.httpPort()).observedBy(HttpClient.CONTRACT);
      admin = new HttpClient(vertx, deployed.adminPort());
    });
  }

  /** Undeploys the service, as a graceful stop does. */
  void stop() throws Exception {
    vertx.undeploy(deploymentId).await(20, TimeUnit.SECONDS);
  }

  static JsonObject reminderDelay(String delay) {
    return new JsonObject().put("rules", new JsonObject().put("launchReminder", new JsonObject().put("delay", delay)));
  }

  /** Waits until exactly {@code count} notifications were delivered and no more arrive for a while. */
  List<Received> deliveredExactly(int count) {
    await().atMost(Duration.ofSeconds(15)).until(() -> notifications.delivered().size() >= count);
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> notifications.delivered().size() == count);
    return notifications.delivered();
  }
}
