package io.eventsprocessor;

import io.eventsprocessor.service.ServiceConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventsprocessor.FakeNotificationService.Received;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.state.Journal;
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
 * for the end-to-end tests. Used from the test thread. On real time by default, or on a {@link VirtualTime} that the
 * test moves (the rules' and the outbox's timers then wait for it).
 */
public final class TestService {
  final Vertx vertx;
  final Path stateDir;
  public final FakeNotificationService notifications;
  private final VirtualTime time;
  private final List<RuleFamily<?>> families;
  private String deploymentId;
  /** How the journal opens its segments (a test may make them fail, as a full disk would). */
  Journal.SegmentOpener segments = Journal.SegmentOpener.FILES;
  /** Where a reload of the rules reads the config again (as the launcher reads the -conf file); none by default. */
  java.util.function.Supplier<JsonObject> reloadSource;
  public MainVerticle main;
  /** The public API's client: every response it receives is held to the OpenAPI contract. */
  public HttpClient http;
  public HttpClient admin;

  public TestService(Vertx vertx, Path stateDir) throws Exception {
    this(vertx, stateDir, null, ServiceConfig.FAMILIES);
  }

  /** @param time null for real time */
  TestService(Vertx vertx, Path stateDir, VirtualTime time, List<RuleFamily<?>> families) throws Exception {
    this(vertx, stateDir, new FakeNotificationService(vertx).start().await(10, TimeUnit.SECONDS), time, families);
  }

  TestService(Vertx vertx, Path stateDir, FakeNotificationService notifications, VirtualTime time,
      List<RuleFamily<?>> families) {
    this.vertx = vertx;
    this.stateDir = stateDir;
    this.notifications = notifications;
    this.time = time;
    this.families = families;
  }

  /**
   * Defaults fit for tests: fast retries, no local sink, admin on a free port, the rules unguarded (see {@link
   * Unguarded}); then {@code overrides}.
   */
  JsonObject config(JsonObject overrides) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("notify", new JsonObject().put("url", notifications.url()).put("timeout", "PT2S")
            .put("initialBackoff", "PT0.05S").put("maxBackoff", "PT0.2S")
            .put("breaker", new JsonObject().put("resetTimeout", "PT0.5S")))
        .put("notifySink", new JsonObject().put("enabled", false))
        .put("admin", new JsonObject().put("port", 0))
        .put("state", new JsonObject().put("dir", stateDir.toString()).put("snapshotInterval", "PT0.2S"))
        .put("rules", Unguarded.rules())
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
    MainVerticle deployed = new MainVerticle(time == null ? Clock.systemUTC() : time, time, Map.of(), families,
        segments, false, null).reloadingFrom(reloadSource);
    return vertx.deployVerticle(deployed, new DeploymentOptions().setConfig(config(overrides))).map(id -> {
      deploymentId = id;
      main = deployed;
      http = new HttpClient(vertx, deployed.httpPort()).observedBy(HttpClient.CONTRACT);
      admin = new HttpClient(vertx, deployed.adminPort());
      return id;
    });
  }

  /** Undeploys the service, as a graceful stop does. */
  void stop() throws Exception {
    vertx.undeploy(deploymentId).await(20, TimeUnit.SECONDS);
  }

  static JsonObject reminderDelay(String delay) {
    return new JsonObject().put("rules", new JsonObject().put("reminder", new JsonObject().put("within", delay)));
  }

  /** Waits until everything accepted has had its effect (see {@link MainVerticle#settled}). */
  void awaitSettled() {
    await().atMost(Duration.ofSeconds(15)).until(main::settled);
  }

  /**
   * Waits until {@code count} notifications were delivered and everything accepted has had its effect, then checks
   * that there are exactly {@code count}: none is missing, and no more can come of what was posted until time
   * passes (on virtual time, until the test moves it).
   */
  List<Received> deliveredExactly(int count) {
    await().atMost(Duration.ofSeconds(15)).until(() -> notifications.delivered().size() >= count && main.settled());
    assertThat(notifications.delivered()).hasSize(count);
    return notifications.delivered();
  }
}
