package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventsprocessor.TestEvents;
import io.eventsprocessor.VirtualTime;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.bus.LocalCodec;
import io.eventsprocessor.bus.EventBatch;
import io.eventsprocessor.bus.Replies;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.state.Journal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell around the engine, on virtual time: events from the bus are answered once they are in the journal,
 * notifications go to the bus, one timer wakes every user.
 */
@ExtendWith(VertxExtension.class)
class RulesVerticleTest {
  static final TestEvents FOO = TestEvents.of("foo");

  @TempDir Path stateDir;
  Vertx vertx;
  VirtualTime time;
  RuleEngine engine;
  Journal journal;
  final AtomicBoolean diskFull = new AtomicBoolean();
  /** Only the journal's new segments fail; snapshots are still saved. */
  final AtomicBoolean segmentsFull = new AtomicBoolean();
  /** While set, a snapshot being written waits here before its file is opened. */
  volatile CountDownLatch snapshotHeld;
  final List<Notification> sent = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    LocalCodec.register(vertx.eventBus(), Event.class, EventBatch.class, Replies.class, Notification.class);
    time = new VirtualTime(Instant.parse("2026-06-01T00:00:00Z"));
    // The outbox, as far as the rules see it: it takes notifications, and gives its part of a snapshot.
    vertx.eventBus().<Notification>localConsumer(EventAddresses.NOTIFICATIONS, m -> {
      if (m.headers().contains(EventAddresses.SNAPSHOT_HEADER)) {
        m.reply(new Outbox(new Outbox.Policy(1, Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1)).toJson());
      } else {
        sent.add(m.body());
      }
    }).completion().await(15, TimeUnit.SECONDS);
    engine = RuleEngineTest.standard();
    // A full disk fails the journal's segments and the snapshots alike: the recovery's snapshot cannot succeed,
    // and events be taken again, before the disk has room.
    Journal.SegmentOpener opener = new Journal.SegmentOpener() {
      @Override
      public FileChannel open(Path path) throws java.io.IOException {
        return diskFull.get() || segmentsFull.get() ? FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)
            : Journal.SegmentOpener.FILES.open(path);
      }

      @Override
      public FileChannel openSnapshot(Path path) throws java.io.IOException {
        CountDownLatch held = snapshotHeld;
        if (held != null) {
          try {
            held.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return diskFull.get() ? FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)
            : Journal.SegmentOpener.super.openSnapshot(path);
      }
    };
    journal = Journal.open(stateDir, opener, Journal.Sync.fsync, Journal.NOBODY, 1);
  }

  /**
   * @param journalMaxBytes journal written that triggers a snapshot (and a new segment)
   * @param maxUsers        users with state at most
   */
  void deploy(long journalMaxBytes, int maxUsers) throws Exception {
    vertx.deployVerticle(new RulesVerticle(engine, journal, time, time, new RulesVerticle.Settings(stateDir, Duration.ofHours(1), journalMaxBytes, maxUsers)))
        .await(15, TimeUnit.SECONDS);
  }

  void deploy() throws Exception {
    deploy(1 << 30, 1_000_000);
  }


  @AfterEach
  void tearDown() {
    journal.close();
  }

  /** Sends the event as ingestion does; its answer, or the failure's code. */
  Future<String> request(Event event) {
    return requestAll(event).map(answers -> answers.get(0));
  }

  /** Sends the events as an edge sends what one turn admitted: one batch; each one's answer, in order. */
  Future<List<String>> requestAll(Event... events) {
    EventBatch batch = new EventBatch(List.of(events));
    // The reply, as the API spells it: accepted, duplicate; or 503 for a refusal.
    return vertx.eventBus().<Replies>request(batch.address(), batch).map(reply -> IntStream.range(0, events.length)
        .mapToObj(i -> reply.body().reply(i) == null ? "503" : reply.body().reply(i).name().toLowerCase(java.util.Locale.ROOT))
        .toList());
  }

  String send(Event event) throws Exception {
    return request(event).await(15, TimeUnit.SECONDS);
  }

  void awaitSent(int count) {
    await().atMost(Duration.ofSeconds(15)).until(() -> sent.size() >= count);
    assertThat(sent).hasSize(count);
  }

  @Test
  void aReminderIsSentWhenTimeReachesItAndNotBefore() throws Exception {
    deploy();
    assertThat(send(FOO.at("10:00:00").launch())).isEqualTo("accepted");
    time.advance(Duration.ofMinutes(10).minusMillis(1));
    assertThat(engine.decided()).isZero();
    time.advance(Duration.ofMillis(1));
    awaitSent(1);
    assertThat(sent).singleElement().extracting(Notification::kind).isEqualTo("training_reminder");
  }

  @Test
  void aBatchIsAppliedInItsOrder() throws Exception {
    deploy();
    // Started a minute after the launch, in the same batch: no reminder. Applied the other way round, the launch
    // would arm one.
    assertThat(requestAll(FOO.at("10:00:00").launch(), FOO.at("10:01:00").started("p"), TestEvents.of("bar")
        .at("10:00:00").launch()).await(15, TimeUnit.SECONDS)).containsExactly("accepted", "accepted", "accepted");
    time.advance(Duration.ofMinutes(10));
    awaitSent(1);
    assertThat(sent).singleElement().extracting(Notification::userId).isEqualTo("bar");
  }

  @Test
  void oneTimerServesEveryUserAndIsMovedEarlierWhenAnEarlierOneComes() throws Exception {
    deploy();
    // foo's open session is due to expire in twelve hours; each launch is due in ten minutes.
    send(FOO.at("10:00:00").started("p"));
    Future.all(IntStream.range(0, 100).mapToObj(i -> request(TestEvents.of("user-" + i).at("10:00:00").launch()))
        .toList()).await(15, TimeUnit.SECONDS);
    assertThat(time.pending()).isEqualTo(1);

    time.advance(Duration.ofMinutes(10));
    awaitSent(100);
    assertThat(time.pending()).isEqualTo(1);
    // The session expires at twelve hours; the users' event ids leave the duplicate window at a day.
    time.advance(Duration.ofHours(24));
    await().atMost(Duration.ofSeconds(15)).until(() -> engine.users() == 0);
    assertThat(time.pending()).isZero();
    awaitSent(100);
  }

  @Test
  void anAnsweredEventIsInTheJournalAndItsReplayGivesTheSameState() throws Exception {
    deploy();
    send(FOO.at("10:00:00").launch());
    send(TestEvents.of("bar").at("09:00:00").started("p"));
    time.advance(Duration.ofMinutes(10));
    awaitSent(1);
    journal.close();

    RuleEngine replayed = RuleEngineTest.standard();
    Journal.replay(stateDir, 0, (seq, type, payload) -> {
      if (type == EventRecords.EVENT) {
        EventRecords.Applied applied = EventRecords.readEvent(payload);
        replayed.apply(applied.event(), applied.realNow());
      } else if (type == EventRecords.WAKE_UP) {
        replayed.wakeUp(EventRecords.readWakeUp(payload));
      }
    });
    assertThat(replayed.users()).isEqualTo(engine.users()).isEqualTo(2);
    assertThat(RuleEngineTest.records(replayed)).usingElementComparator(java.util.Arrays::compare)
        .containsExactlyElementsOf(RuleEngineTest.records(engine));
    assertThat(replayed.decided()).isEqualTo(1);
  }

  @Test
  void aResendOfAnEventStillInFlightIsADuplicateAndIsAppliedOnce() throws Exception {
    deploy();
    Event launch = FOO.at("10:00:00").launch();
    List<String> answers = Future.all(request(launch), request(launch)).await(15, TimeUnit.SECONDS).list();
    assertThat(answers).containsExactly("accepted", "duplicate");
    // In one batch, as two requests read in one turn of an edge are.
    Event start = FOO.at("10:01:00").started("p");
    assertThat(requestAll(start, start).await(15, TimeUnit.SECONDS)).containsExactly("accepted", "duplicate");
    assertThat(send(launch)).isEqualTo("duplicate");
    assertThat(engine.applied()).isEqualTo(2);
  }

  @Test
  void whenTheJournalCannotBeWrittenEventsAreRefusedUntilItCanAgain() throws Exception {
    // A snapshot, and a new journal segment, after every event.
    deploy(1, 1_000_000);
    assertThat(send(FOO.at("10:00:00").started("p"))).isEqualTo("accepted");
    // The next segment lands on a full disk.
    diskFull.set(true);
    String answer = "accepted";
    for (int i = 0; i < 100 && answer.equals("accepted"); i++) {
      answer = send(TestEvents.of("u" + i).at("10:00:00").launch());
    }
    assertThat(answer).isEqualTo("503");
    long applied = engine.applied();
    assertThat(send(TestEvents.of("late").at("10:00:00").launch())).isEqualTo("503");
    assertThat(engine.applied()).isEqualTo(applied);

    diskFull.set(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> send(TestEvents.of("after").at("10:00:00").launch()).equals("accepted"));
  }

  @Test
  void stoppingWaitsForASnapshotBeingWrittenSoThatItCannotReplaceTheLastOne() throws Exception {
    // A snapshot after every event; this one is held while it writes its file.
    deploy(1, 1_000_000);
    CountDownLatch held = new CountDownLatch(1);
    snapshotHeld = held;
    assertThat(send(FOO.at("10:00:00").launch())).isEqualTo("accepted");
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshots(stateDir) == 1);

    // The service saves its last snapshot once the rules have stopped: were the held one still to commit after
    // that, an older position would replace the last one, and the journal after it would be gone.
    Future<Void> stopped = vertx.undeploy(vertx.deploymentIDs().iterator().next());
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !stopped.isComplete());
    held.countDown();
    stopped.await(15, TimeUnit.SECONDS);
    assertThat(snapshots(stateDir)).isZero();
  }

  /** Snapshot files being written (their temporary files). */
  static long snapshots(Path dir) throws java.io.IOException {
    try (var files = java.nio.file.Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count();
    }
  }

  @Test
  void aJournalThatFailsWhileASnapshotWaitsForItsRecordsRecoversOnceItCanBeWritten() throws Exception {
    // A snapshot after every event: it starts when the event is appended, and waits for it to be applied.
    deploy(1, 1_000_000);
    // The snapshot after this event rotates the journal to a new segment, on a disk that has become full.
    segmentsFull.set(true);
    assertThat(send(FOO.at("10:00:00").launch())).isEqualTo("accepted");
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.users() == 1 && journal.bytesOnDisk() == 0);
    // This one cannot be written, while its snapshot waits for it.
    assertThat(send(TestEvents.of("bar").at("10:00:00").launch())).isEqualTo("503");

    segmentsFull.set(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> send(TestEvents.of("bar").at("10:00:00").launch()).equals("accepted"));
  }

  @Test
  void beyondTheMostUsersNewUsersAreRefusedAndKnownUsersGoOn() throws Exception {
    deploy(1 << 30, 2);
    assertThat(send(TestEvents.of("a").at("10:00:00").started("p"))).isEqualTo("accepted");
    // In one batch, each event is answered on its own: b takes the last place, c is refused, b goes on.
    assertThat(requestAll(TestEvents.of("b").at("10:00:00").launch(), TestEvents.of("c").at("10:00:00").launch(),
        TestEvents.of("b").at("10:01:00").started("q")).await(15, TimeUnit.SECONDS))
        .containsExactly("accepted", "503", "accepted");
    // Nothing of the refused event was applied; the known users go on.
    assertThat(engine.users()).isEqualTo(2);
    assertThat(send(TestEvents.of("a").at("10:40:00").finished("p"))).isEqualTo("accepted");
    awaitSent(1);
    // a has nothing pending any more, but is kept to tell its resends until its ids leave the window: then there
    // is room again.
    assertThat(send(TestEvents.of("c").at("10:41:00").launch())).isEqualTo("503");
    time.advance(Duration.ofHours(24));
    await().atMost(Duration.ofSeconds(15)).until(() -> engine.users() < 2);
    assertThat(send(TestEvents.of("c").at("10:41:00").launch())).isEqualTo("accepted");
  }
}
