package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventsprocessor.TestEvents;
import io.eventsprocessor.VirtualTime;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventAddresses;
import io.eventsprocessor.event.EventJson;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.state.StateSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The shell around the engine, on virtual time: events from the bus, notifications to the bus, one timer. */
@ExtendWith(VertxExtension.class)
class RulesVerticleTest {
  static final TestEvents FOO = TestEvents.of("foo");

  @TempDir Path stateDir;
  Vertx vertx;
  VirtualTime time;
  RuleEngine engine;
  final List<Notification> sent = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    time = new VirtualTime(Instant.parse("2026-06-01T00:00:00Z"));
    vertx.eventBus().<JsonObject>localConsumer(EventAddresses.NOTIFICATIONS, m -> sent.add(Notification.fromJson(m.body())))
        .completion().await(5, TimeUnit.SECONDS);
    deploy();
  }

  String deploy() throws Exception {
    engine = RuleEngineTest.standard();
    return vertx.deployVerticle(new RulesVerticle(engine, time, time, new StateSettings(stateDir, Duration.ofHours(1))))
        .await(5, TimeUnit.SECONDS);
  }

  /** Publishes the events as ingestion does, and waits until the rules applied them all. */
  void publish(Event... events) {
    long applied = engine.applied();
    for (Event event : events) {
      vertx.eventBus().publish(EventAddresses.forType(event.type()), EventJson.toJson(event));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> engine.applied() == applied + events.length);
  }

  void awaitSent(int count) {
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() >= count);
    assertThat(sent).hasSize(count);
  }

  @Test
  void aReminderIsSentWhenTimeReachesItAndNotBefore() {
    publish(FOO.at("10:00:00").launch());
    time.advance(Duration.ofMinutes(10).minusMillis(1));
    assertThat(engine.decided()).isZero();
    time.advance(Duration.ofMillis(1));
    awaitSent(1);
    assertThat(sent).singleElement().extracting(Notification::kind).isEqualTo("training_reminder");
    assertThat(time.pending()).isZero();
  }

  @Test
  void oneTimerServesEveryUserAndIsMovedEarlierWhenAnEarlierOneComes() {
    // foo's open session is due to expire in twelve hours; each launch is due in ten minutes.
    publish(FOO.at("10:00:00").started("p"));
    publish(java.util.stream.IntStream.range(0, 100)
        .mapToObj(i -> TestEvents.of("user-" + i).at("10:00:00").launch()).toArray(Event[]::new));
    assertThat(time.pending()).isEqualTo(1);

    time.advance(Duration.ofMinutes(10));
    awaitSent(100);
    assertThat(time.pending()).isEqualTo(1);
    time.advance(Duration.ofHours(12));
    assertThat(engine.users()).isZero();
    assertThat(time.pending()).isZero();
    awaitSent(100);
  }

  @Test
  void aStopSavesAndAStartRestoresWhatFellDueMeanwhileIsSentAtOnce() throws Exception {
    publish(FOO.at("10:00:00").launch());
    vertx.undeploy(vertx.deploymentIDs().iterator().next()).await(5, TimeUnit.SECONDS);
    time.advance(Duration.ofHours(1));
    assertThat(sent).isEmpty();

    deploy();
    awaitSent(1);
    assertThat(sent.get(0).userId()).isEqualTo("foo");
  }
}
