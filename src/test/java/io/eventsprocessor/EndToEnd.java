package io.eventsprocessor;

import io.eventsprocessor.service.ServiceConfig;
import static io.eventsprocessor.HttpClient.resource;

import io.eventsprocessor.FakeNotificationService.Received;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The real main verticle on a free port, configured per test, against a fake notification service. */
@ExtendWith(VertxExtension.class)
abstract class EndToEnd {
  @TempDir Path stateDir;
  Vertx vertx;
  TestService service;
  FakeNotificationService notifications;
  MainVerticle main;
  HttpClient http;

  @BeforeEach
  void startFakeNotificationService(Vertx vertx) throws Exception {
    this.vertx = vertx;
    service = new TestService(vertx, stateDir);
    notifications = service.notifications;
  }

  /**
   * Moves this test onto virtual time (call it before {@link #startService}): the rules' and the outbox's timers
   * then wait for {@code time.advance(…)}, and what must not happen can be checked without waiting.
   */
  VirtualTime onVirtualTime() {
    VirtualTime time = new VirtualTime(START);
    service = new TestService(vertx, stateDir, notifications, time, ServiceConfig.FAMILIES);
    return time;
  }

  /** Where virtual time starts: after every timestamp the tests' events carry. */
  static final Instant START = Instant.parse("2026-06-01T00:00:00Z");

  void startService(JsonObject overrides) throws Exception {
    service.start(overrides);
    main = service.main;
    http = service.http;
  }

  void startService() throws Exception {
    startService(new JsonObject());
  }

  List<Received> deliveredExactly(int count) {
    return service.deliveredExactly(count);
  }

  static JsonObject reminderDelay(String delay) {
    return TestService.reminderDelay(delay);
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
