package io.eventsprocessor.rules;

import io.eventsprocessor.bus.BatchAnswer;
import io.eventsprocessor.bus.EventBatch;
import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.bus.TypeConsumers;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.state.Journal;
import io.eventsprocessor.state.Snapshot;
import io.eventsprocessor.time.DueTimer;
import io.eventsprocessor.time.Timers;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around the {@link RuleEngine}, and the one writer of the users' state: an event is applied, and
 * answered, only once it is in the journal on disk, so that what was acknowledged survives a crash, and what was not
 * has no effect. For each event of a type some family declares: a resend is answered "duplicate"; otherwise the
 * event is appended to the journal; once the journal says it is durable, it is applied, its notifications go to the
 * outbox, and the ingestion's request is answered with a {@link Reply}. Wake-ups (reminders falling due) go the same way. Records are
 * applied in the journal's order, each with the server time it was appended at, so a replay gives the same result.
 *
 * <p>A snapshot of the users (their recent event ids with them) and the outbox is saved every {@code snapshotInterval} (or
 * sooner when the journal grows past {@code journalMaxBytes}), at a journal position; the segments it covers are
 * then deleted. When the journal cannot be written (a full disk, an I/O error), events are refused with 503 and
 * nothing more is applied until a snapshot of what was durable can be saved again, retried every second.
 *
 * <p>A snapshot that fails leaves the journal growing (it keeps everything, nothing is lost), so failures are counted
 * ({@link #snapshots()}) and retried: at the next interval, or, once the journal on disk is past
 * {@code journalMaxBytes}, after 1 s, then twice as long each time up to the interval. Past twice
 * {@code journalMaxBytes} (the bound plus a segment's worth, what a snapshot under way may add) events are refused
 * (503) until a snapshot succeeds: the journal must not fill the disk, and the snapshot that would empty it needs room
 * to be written.
 */
public final class RulesVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RulesVerticle.class);
  /** The snapshot's records: a user each, and the outbox's contents. */
  public static final byte USER = 1;
  public static final byte OUTBOX = 3;
  private static final Duration RECOVERY_RETRY = Duration.ofSeconds(1);
  private static final Duration REFUSALS_PERIOD = Duration.ofMinutes(1);

  /**
   * @param snapshotInterval how often a snapshot is saved while anything changed
   * @param journalMaxBytes  journal written since the last snapshot that triggers the next one sooner
   * @param maxUsers         users with state at most: an event that would add one more is refused
   */
  public record Settings(Path dir, Duration snapshotInterval, long journalMaxBytes, int maxUsers) {}

  /** A record in the journal not yet applied; {@code event} is null for a wake-up. */
  private static final class Pending {
    final long seq;
    final Event event;
    final InFlight key;
    final long realNow;
    /** Where the event came: its batch, and its index there. */
    final BatchAnswer batch;
    final int index;
    /** Resends of the same event that arrived meanwhile: answered "duplicate" once it is applied. */
    List<Resend> resends;

    Pending(long seq, Event event, InFlight key, long realNow, BatchAnswer batch, int index) {
      this.seq = seq;
      this.event = event;
      this.key = key;
      this.realNow = realNow;
      this.batch = batch;
      this.index = index;
    }
  }

  /** A resend of an event in flight, in its own batch. */
  private record Resend(BatchAnswer batch, int index) {}

  /** An event in the journal and not yet applied, by its user and id: a resend meanwhile waits for its answer. */
  private record InFlight(String userId, String eventId) {}

  private final RuleEngine engine;
  private final Journal journal;
  private final Clock clock;
  private final Timers timers;
  private final Settings settings;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final Map<InFlight, Pending> inFlight = new HashMap<>();
  /** Users without state whose first event is in the journal: they count against the cap already. */
  private final Set<String> newUsersInFlight = new HashSet<>();
  private final LongAdder refusedNewUsers = new LongAdder();
  private final TypeConsumers<EventBatch> consumers = new TypeConsumers<>();
  private DueTimer dueTimer;
  private boolean wakeUpPending;
  private long bytesAtLastSnapshot;
  private boolean changedSinceSnapshot;
  /** The first record not covered by the snapshot being taken, or -1 when none is. */
  private long snapshotAt = -1;
  private Promise<Void> snapshotDone;
  /** The snapshot being written, if any: stopping waits for it (see {@link #stop}). */
  private Future<?> snapshotWrite = Future.succeededFuture();
  private long snapshotTimer = -1;
  private long refusalsTimer = -1;
  private volatile String unavailable;
  private final SnapshotStats snapshots = new SnapshotStats();
  private Duration snapshotRetry = RECOVERY_RETRY;
  private long snapshotRetryTimer = -1;
  private Promise<Void> drained;
  private LongConsumer decided = latency -> {};

  /** @param timers the timers to wake users with; null for Vert.x's own */
  public RulesVerticle(RuleEngine engine, Journal journal, Clock clock, Timers timers, Settings settings) {
    this.engine = engine;
    this.journal = journal;
    this.clock = clock;
    this.timers = timers;
    this.settings = settings;
  }

  /**
   * Hears, for each notification decided, the milliseconds since its cause: the receipt of the event that decided
   * it, or the wake-up that fell due (for the metrics).
   */
  public void onDecided(LongConsumer latencyMillis) {
    this.decided = latencyMillis;
  }

  /** Why events cannot be taken now (the journal cannot be written), or null when they can. */
  public String unavailable() {
    return unavailable;
  }

  /** Whether the users with state reached {@code maxUsers}: new users are refused (readable from any thread). */
  public boolean full() {
    return engine.users() >= settings.maxUsers();
  }

  /** Events refused because they would have added a user beyond {@code maxUsers}. */
  public long refusedNewUsers() {
    return refusedNewUsers.sum();
  }

  public int maxUsers() {
    return settings.maxUsers();
  }

  /** Snapshots saved and failed, and how long they took (readable from any thread). */
  public SnapshotStats snapshots() {
    return snapshots;
  }

  /** Bytes of the journal on disk now (readable from any thread). */
  public long journalBytes() {
    return journal.bytesOnDisk();
  }

  /** The journal's bound: past it a snapshot is due, past twice it events are refused. */
  public long journalMaxBytes() {
    return settings.journalMaxBytes();
  }

  /**
   * Why the last snapshots failed, once {@link SnapshotStats#FAILURES_NOT_READY} failed in a row, or null
   * (readable from any thread).
   */
  public String snapshotsFailing() {
    return snapshots.failing();
  }

  /**
   * Why events are refused because the journal is past twice its bound (snapshots failing, or far too slow), or
   * null. Read on every request, from any thread: a read of a counter.
   */
  public String journalOverBound() {
    long bytes = journal.bytesOnDisk();
    long limit = 2 * settings.journalMaxBytes();
    return bytes <= limit ? null
        : "The journal holds " + bytes / (1024 * 1024) + " MB on disk, more than twice state.journalMaxMegabytes ("
            + limit / (1024 * 1024) + " MB), because snapshots fail: events are refused until one is saved";
  }

  @Override
  public Future<?> start() {
    dueTimer = new DueTimer(timers == null ? Timers.of(vertx) : timers, clock, this::onDue);
    journal.listen(new Journal.Listener() {
      @Override
      public void durable(long seq) {
        context.runOnContext(v -> onDurable(seq));
      }

      @Override
      public void failed(IOException cause) {
        context.runOnContext(v -> onJournalFailed(cause));
      }
    });
    dueTimer.require(engine.nextWakeAt());
    // A journal past its bound is due for a snapshot even when nothing changed: after a start on a journal that
    // failing snapshots left long (the last one, at the stop, failed too), no event may come to trigger one,
    // since events are refused while it is past twice its bound.
    snapshotTimer = vertx.setPeriodic(settings.snapshotInterval().toMillis(), id -> {
      if (changedSinceSnapshot || journal.bytesOnDisk() > settings.journalMaxBytes()) {
        snapshot();
      }
    });
    if (journal.bytesOnDisk() > settings.journalMaxBytes()) {
      snapshot();
    }
    long[] refusedBefore = {0};
    refusalsTimer = vertx.setPeriodic(REFUSALS_PERIOD.toMillis(), id -> {
      long refused = refusedNewUsers.sum();
      if (refused != refusedBefore[0]) {
        LOG.warn("rules: {} event(s) of new users refused in the last minute: {} users have state, the most "
            + "allowed (state.maxUsers); existing users go on", refused - refusedBefore[0], settings.maxUsers());
        refusedBefore[0] = refused;
      }
    });
    return consumers.consume(vertx.eventBus(), engine.types(), this::onBatch);
  }

  /**
   * Runs {@code next} from now on, on this verticle's thread, once its new types' addresses are consumed (see {@link
   * RuleEngine#use}); then saves a snapshot, so that a restart replays no event of before the reload with the new
   * rules. An event of a type the new rules do not name that was sent before is still taken, and changes nothing.
   *
   * @return the users whose state was dropped, by family name
   */
  public Future<Map<String, Integer>> use(RuleSet next) {
    Promise<Map<String, Integer>> used = Promise.promise();
    context.runOnContext(v -> consumers.consume(vertx.eventBus(), next.types(), this::onBatch)
        .onFailure(used::fail)
        .onSuccess(registered -> {
          Map<String, Integer> dropped = engine.use(next, clock.millis());
          changedSinceSnapshot = true;
          dueTimer.require(engine.nextWakeAt());
          if (unavailable == null && drained == null) {
            snapshot();
          }
          used.complete(dropped);
        }));
    return used.future();
  }

  /**
   * Runs once no event can arrive any more (the HTTP edge stops first): answers what is in the journal once it is
   * applied. The last snapshot is saved by the service once every part has stopped.
   */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(snapshotTimer);
    vertx.cancelTimer(snapshotRetryTimer);
    vertx.cancelTimer(refusalsTimer);
    dueTimer.cancel();
    return consumers.unregister().compose(v -> {
      drained = Promise.promise();
      if (pending.isEmpty()) {
        drained.tryComplete();
      }
      // A snapshot still being written after this would race the service's last one: committed later, its older
      // position would replace the last snapshot, whose save deletes the journal after it.
      return drained.future().compose(empty -> snapshotWrite.transform(written -> Future.succeededFuture()));
    });
  }

  /** The events of an edge's turn, in order: each is taken (or answered) as it would be alone. */
  private void onBatch(Message<EventBatch> message) {
    BatchAnswer batch = new BatchAnswer(message);
    String refusal = unavailable != null ? unavailable : journalOverBound();
    long realNow = clock.millis();
    for (int i = 0; i < batch.size(); i++) {
      if (refusal != null) {
        batch.refuse(i, refusal);
      } else {
        take(batch, i, realNow);
      }
    }
    snapshotIfTheJournalGrew();
  }

  private void take(BatchAnswer batch, int index, long realNow) {
    Event event = batch.event(index);
    if (engine.applied(event, realNow)) {
      batch.reply(index, Reply.DUPLICATE);
      return;
    }
    InFlight key = new InFlight(event.userId(), event.id());
    Pending first = inFlight.get(key);
    if (first != null) {
      (first.resends == null ? first.resends = new ArrayList<>(1) : first.resends).add(new Resend(batch, index));
      return;
    }
    String userId = event.userId();
    boolean newUser = !engine.hasUser(userId) && !newUsersInFlight.contains(userId);
    if (newUser && engine.users() + newUsersInFlight.size() >= settings.maxUsers()) {
      refusedNewUsers.increment();
      batch.refuse(index, "the service keeps the state of its most users (" + settings.maxUsers()
          + ") and takes no new ones now; known users go on");
      return;
    }
    long seq;
    try {
      seq = journal.append(EventRecords.EVENT, EventRecords.event(event, realNow));
    } catch (Journal.BrokenException e) {
      batch.refuse(index, "the state cannot be written: " + e.getMessage());
      return;
    }
    if (newUser) {
      newUsersInFlight.add(userId);
    }
    Pending appended = new Pending(seq, event, key, realNow, batch, index);
    pending.add(appended);
    inFlight.put(key, appended);
  }

  private void onDue() {
    if (wakeUpPending || unavailable != null) {
      return; // the one in the journal will wake everyone due; or the wake-up waits for the journal to work
    }
    long realNow = clock.millis();
    try {
      pending.add(new Pending(journal.append(EventRecords.WAKE_UP, EventRecords.wakeUp(realNow)), null, null, realNow,
          null, -1));
      wakeUpPending = true;
    } catch (Journal.BrokenException e) {
      // the journal failed: its recovery re-arms the timer
    }
  }

  /** Everything up to {@code seq} is on disk: applies it, in order, and answers. */
  private void onDurable(long seq) {
    while (!pending.isEmpty() && pending.peek().seq <= seq) {
      if (snapshotAt >= 0 && snapshotDone != null && pending.peek().seq >= snapshotAt) {
        captureSnapshot();
      }
      apply(pending.poll());
    }
    captureSnapshotIfDue();
    dueTimer.require(engine.nextWakeAt());
    if (drained != null && pending.isEmpty()) {
      drained.tryComplete();
    }
  }

  private void apply(Pending p) {
    changedSinceSnapshot = true;
    if (p.event == null) {
      wakeUpPending = false;
      send(engine.wakeUp(p.realNow), p.realNow);
      return;
    }
    inFlight.remove(p.key);
    newUsersInFlight.remove(p.event.userId());
    RuleSet.Step step = engine.apply(p.event, p.realNow);
    send(step.notifications(), p.event.receivedAt().toEpochMilli());
    p.batch.reply(p.index, step.reply());
    if (p.resends != null) {
      p.resends.forEach(resend -> resend.batch().reply(resend.index(), Reply.DUPLICATE));
    }
  }

  /** @param causedAt server time of what decided them: the event's receipt, or the wake-up */
  private void send(List<Notification> notifications, long causedAt) {
    long latency = notifications.isEmpty() ? 0 : clock.millis() - causedAt;
    for (Notification notification : notifications) {
      decided.accept(latency);
      vertx.eventBus().send(EventAddresses.NOTIFICATIONS, notification);
    }
  }

  /**
   * The journal could not be written: nothing it held since its last durable record counts. Those events are
   * refused, and so is everything until a snapshot of what was durable (the engine holds exactly that) is saved.
   */
  private void onJournalFailed(IOException cause) {
    if (unavailable == null) {
      unavailable = "the state cannot be written (" + cause.getMessage() + ")";
      LOG.error("rules: {}: refusing events until it can", unavailable);
    }
    for (Pending p : pending) {
      if (p.batch != null) {
        p.batch.refuse(p.index, unavailable);
        if (p.resends != null) {
          p.resends.forEach(resend -> resend.batch().refuse(resend.index(), unavailable));
        }
      }
    }
    pending.clear();
    inFlight.clear();
    newUsersInFlight.clear();
    wakeUpPending = false;
    if (snapshotDone != null && snapshotAt >= 0) {
      // It waited for records that will never be applied: it ends here, and the recovery takes a new one.
      endSnapshot(cause);
    } else if (snapshotDone != null) {
      snapshotDone.tryFail(cause); // being written: it ends when the write does
    }
    if (drained != null) {
      drained.tryComplete();
    }
    vertx.setTimer(RECOVERY_RETRY.toMillis(), id -> recover());
  }

  private void recover() {
    if (unavailable == null || drained != null) {
      return;
    }
    snapshot().onComplete(saved -> {
      if (saved.succeeded()) {
        LOG.info("rules: the state can be written again: taking events");
        unavailable = null;
        dueTimer.require(engine.nextWakeAt());
      } else {
        vertx.setTimer(RECOVERY_RETRY.toMillis(), id -> recover());
      }
    });
  }

  private void snapshotIfTheJournalGrew() {
    if (snapshotDone == null && journal.bytesWritten() - bytesAtLastSnapshot > settings.journalMaxBytes()) {
      snapshot();
    }
  }

  /**
   * Saves a snapshot at the journal's current end: later records go to a new segment; once every record before it
   * is applied, the users and the outbox are captured together, saved, and the older
   * segments deleted.
   */
  private Future<Void> snapshot() {
    if (snapshotDone != null) {
      return snapshotDone.future();
    }
    snapshotDone = Promise.promise();
    Future<Void> done = snapshotDone.future();
    try {
      snapshotAt = journal.rotate();
      bytesAtLastSnapshot = journal.bytesWritten();
    } catch (IOException e) {
      LOG.error("rules: could not start a new journal segment in {}: {}", settings.dir(), e.toString());
      snapshots.failed(e.toString());
      endSnapshot(e);
      return done;
    }
    captureSnapshotIfDue();
    return done;
  }

  private void captureSnapshotIfDue() {
    if (snapshotAt >= 0 && (pending.isEmpty() || pending.peek().seq >= snapshotAt)) {
      captureSnapshot();
    }
  }

  /** Every record before {@link #snapshotAt} is applied, none after: the moment to capture. */
  private void captureSnapshot() {
    long position = snapshotAt - 1;
    long rotatedTo = snapshotAt;
    snapshotAt = -1;
    changedSinceSnapshot = false;
    long started = System.nanoTime(); // real time: what the disk took, whatever clock the rules run on
    RuleEngine.Snapshot users = engine.snapshot();
    // Asked on the notifications' address, the outbox answers after every notification sent before: its part
    // holds all that the records before the position decided.
    Future<Integer> write = vertx.eventBus().<JsonObject>request(EventAddresses.NOTIFICATIONS, null,
            new DeliveryOptions().addHeader(EventAddresses.SNAPSHOT_HEADER, "true"))
        .compose(outbox -> vertx.executeBlocking(() -> {
          writeSnapshot(settings.dir(), journal.opener(), position, users, outbox.body());
          journal.deleteSegmentsBefore(rotatedTo);
          return users.users();
        }));
    snapshotWrite = write;
    write.onComplete(saved -> {
      users.release(); // written, or it never will be (the outbox did not answer): the users may change in place
      if (saved.succeeded()) {
        snapshots.saved(System.nanoTime() - started);
        snapshotRetry = RECOVERY_RETRY;
        LOG.info("rules: snapshot of {} user(s) at journal record {} saved", saved.result(), position);
        endSnapshot(null);
      } else {
        changedSinceSnapshot = true;
        snapshots.failed(saved.cause().toString());
        LOG.error("rules: could not save a snapshot in {}: {}; the journal keeps everything meanwhile ({} MB, "
                + "{} failed in a row)", settings.dir(), saved.cause().toString(),
            journal.bytesOnDisk() / (1024 * 1024), snapshots.failingInARow());
        endSnapshot(saved.cause());
        retrySnapshotSoonerIfTheJournalIsLong();
      }
    });
  }

  /**
   * A failed snapshot is tried again at the next interval; but once the journal is past its bound, and growing with
   * every event, sooner: after 1 s, then twice as long each time, up to the interval.
   */
  private void retrySnapshotSoonerIfTheJournalIsLong() {
    if (journal.bytesOnDisk() <= settings.journalMaxBytes() || drained != null) {
      return;
    }
    vertx.cancelTimer(snapshotRetryTimer);
    snapshotRetryTimer = vertx.setTimer(snapshotRetry.toMillis(), id -> {
      if (drained == null && unavailable == null) {
        snapshot();
      }
    });
    Duration doubled = snapshotRetry.multipliedBy(2);
    snapshotRetry = doubled.compareTo(settings.snapshotInterval()) < 0 ? doubled : settings.snapshotInterval();
  }

  /**
   * Writes a whole snapshot at {@code position}: the users, and the outbox's contents as it gave them. Blocking.
   *
   * @throws java.io.UncheckedIOException naming the file that could not be written
   */
  public static void writeSnapshot(Path dir, long position, RuleEngine.Snapshot users, JsonObject outbox) {
    writeSnapshot(dir, Journal.SegmentOpener.FILES, position, users, outbox);
  }

  /** The same, its file opened by {@code files} (the journal's: tests make it fail). */
  public static void writeSnapshot(Path dir, Journal.SegmentOpener files, long position, RuleEngine.Snapshot users,
      JsonObject outbox) {
    try (Snapshot.Writer writer = Snapshot.write(dir, files)) {
      users.write(record -> writer.record(USER, record));
      writer.record(OUTBOX, Unpooled.wrappedBuffer(outbox.toBuffer().getBytes()));
      writer.commit(position);
    } finally {
      users.release();
    }
  }

  private void endSnapshot(Throwable failure) {
    Promise<Void> done = snapshotDone;
    snapshotDone = null;
    snapshotAt = -1;
    if (failure == null) {
      done.tryComplete();
    } else {
      done.tryFail(failure);
    }
  }
}
