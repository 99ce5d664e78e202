package io.eventsprocessor.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.bus.BatchAnswer;
import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.bus.EventBatch;
import io.eventsprocessor.bus.TypeConsumers;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.ingest.RateLimiter;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.SnapshotStats;
import io.eventsprocessor.state.StateSettings;
import io.eventsprocessor.time.DueTimer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules in a cluster. Consumes, on this node, the address of every type a family declares, as the single-node
 * rules verticle does, and has each event applied by the node that owns its user, in the cluster's map of users
 * ({@link UserProcessors.ApplyEvents}): the answer comes once the owner and its backup have the new entry. A user's
 * events taken by this node are applied in the order they came: one call per partition at a time, the events that
 * came meanwhile for its users together in the next ({@link PartitionStep}).
 *
 * <p>Every {@code pollInterval}, the node looks at the users it owns: those due are woken ({@link
 * UserProcessors.WakeUp}), and the notifications waiting in their entries are handed to this node's outbox, which
 * delivers them. Until the node sees a quorum of members ({@code cluster.quorum}), it answers every event 503: the
 * map takes no writes on a minority; once it does, it puts back into the map what its journal holds (see {@link
 * ClusterJournal}) and the dead letters the cluster's last node saved, if this node has them (see {@link
 * ClusterState}), and takes events once a quorum of members has done so. After a node's death the new owners find
 * its users' due times and waiting notifications in the backups: reminders fire once, and notifications go out again
 * under the same id. The dead letters are the cluster's, answered here for the admin API of any node.
 */
public final class ClusterRulesVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRulesVerticle.class);
  /** How long a notification handed to the outbox is not handed again while it is still waiting. */
  private static final Duration HANDED_OVER = Duration.ofMinutes(5);
  /** How often readiness learns whether every user has its backup: a probe asks every few seconds. */
  private static final long SAFETY_CHECK_MILLIS = 1000;
  /** A safety check that takes longer than this is waiting for a member that does not answer. */
  private static final long SAFETY_CHECK_STALE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

  /** Each member's rules, by the member's id: their fingerprint (see {@link #differentRules}). */
  private static final String RULES_BY_MEMBER = "events-processor.rules-by-member";
  /**
   * The members that put back what their journal held, by id, and {@link #RUNNING} once a quorum of them had: the
   * cluster then takes events, and a member that starts later puts back only what is newer than a tombstone lasts.
   */
  private static final String STARTS = "events-processor.starts";
  private static final String RUNNING = "running";
  /** Calls putting entries back in flight at once from one node, and users per call. */
  private static final int RESTORES_IN_FLIGHT = 16;
  private static final int RESTORE_BATCH = 500;
  /** How long after partitions moved this node saves a snapshot of what it holds then. */
  private static final long SNAPSHOT_AFTER_MIGRATION_MILLIS = 1000;

  private final HazelcastInstance hazelcast;
  private final RateLimiter perUser;
  /** Replaced by a reload, on this verticle's thread; read by the blocking recount. */
  private volatile RuleSet rules;
  /** A fingerprint of the config that made the rules: the same on every node, or readiness says not. */
  private volatile String fingerprint;
  /** The event types' addresses: those of every rule set it ran (see {@link #use}). */
  private final TypeConsumers<EventBatch> typeConsumers = new TypeConsumers<>();
  private final Clock clock;
  private final Duration pollInterval;
  private final int quorum;
  private final StateSettings state;
  private final ClusterJournal journal;
  private final SnapshotStats snapshots = new SnapshotStats();
  private long snapshotTimer = -1;
  private io.vertx.core.WorkerExecutor startWorker;
  private long migratedTimer = -1;
  private boolean snapshotting;
  /** Whether this node put back what its journal held (once per start). */
  private volatile boolean restored;
  /** Per partition with a call under way: the events that came meanwhile, by user, for the next call. */
  private final Map<Integer, Map<String, List<Taken>>> waiting = new HashMap<>();
  private Partitions partitions;
  /** Completed once no call is under way, when stopping. */
  private Promise<Void> drained;
  private JournalSync journalSync;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final LongAdder applied = new LongAdder();
  private final LongAdder calls = new LongAdder();
  private final LongAdder entriesPutBack = new LongAdder();
  private final Cache<String, Boolean> handedOver = Caffeine.newBuilder().expireAfterWrite(HANDED_OVER).build();
  private IMap<String, ClusterUser> users;
  private IMap<String, String> deadLetters;
  private long pollTimer = -1;
  private long safetyTimer = -1;
  /** When the safety check under way started (System.nanoTime), or 0 when none is. */
  private volatile long safetyCheckSince;
  /** Whether every partition had its backup in sync at the last check (see {@link #copying}). */
  private volatile boolean safe;
  private java.util.UUID membership;
  private java.util.UUID migrations;
  private boolean polling;
  private volatile boolean ready;

  /**
   * @param quorum   members this node must see before it takes events
   * @param state    where the cluster's last node saves the dead letters (see {@link ClusterState}), and how the
   *                 journal is kept: its sync, how often and past what size a snapshot replaces it
   * @param fingerprint what tells these rules from others (the config's rules and event types)
   * @param perUser  the rate of each user this node owns, over all of its events whichever node took them
   * @param journal  this node's journal of the entries it holds, with what it held when the node started
   */
  public ClusterRulesVerticle(HazelcastInstance hazelcast, RuleSet rules, String fingerprint, RateLimiter perUser,
      Clock clock, Duration pollInterval, int quorum, StateSettings state, ClusterJournal journal) {
    this.hazelcast = hazelcast;
    this.rules = rules;
    this.perUser = perUser;
    this.fingerprint = fingerprint;
    this.clock = clock;
    this.pollInterval = pollInterval;
    this.quorum = quorum;
    this.state = state;
    this.journal = journal;
  }

  /** Null when this node takes events; otherwise why not. */
  public String unavailable() {
    return ready ? null : "the node sees " + hazelcast.getCluster().getMembers().size() + " member(s) of the "
        + quorum + " it needs to take events";
  }

  /**
   * Why no other node should be stopped now, or null: after a member joined or left, Hazelcast copies partitions
   * and their backups, and until that ends some users have a single copy. Readiness reports it (without refusing
   * events), so that a rolling deploy can wait for it before it stops the next node.
   */
  public String copying() {
    return safe() ? null : "some users have no backup in sync yet (the cluster is copying entries after a member "
        + "joined or left, or a member stopped answering): stop no other node until this is done";
  }

  /** Whether every partition had its backup in sync at the last check, and that check is recent (any thread). */
  public boolean safe() {
    long since = safetyCheckSince;
    return safe && (since == 0 || System.nanoTime() - since < SAFETY_CHECK_STALE_NANOS);
  }

  /**
   * Why this node's rules are not those of every other node, or null: a config error (nodes would decide the same
   * user's events by different rules, as partitions move), which readiness reports until the rules are the same.
   * Read on every probe, from the members' fingerprints as this node holds them.
   */
  public String differentRules() {
    Map<Object, Object> byMember = hazelcast.getReplicatedMap(RULES_BY_MEMBER);
    List<String> others = new ArrayList<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      Object theirs = byMember.get(member.getUuid().toString());
      if (theirs != null && !theirs.equals(fingerprint)) {
        others.add(member.getAddress().toString());
      }
    }
    return others.isEmpty() ? null : "member(s) " + String.join(", ", others) + " run other rules than this node's "
        + "(the events and rules sections differ): give every node the same config, and reload it";
  }

  /** Tells the other members which rules this node runs. */
  private Future<Void> publishFingerprint() {
    String published = fingerprint;
    return vertx.executeBlocking(() -> {
      hazelcast.getReplicatedMap(RULES_BY_MEMBER).put(hazelcast.getCluster().getLocalMember().getUuid().toString(),
          published);
      return null;
    }, false);
  }

  /**
   * Runs {@code next} from now on: the entry processors this member runs reach it (see {@link ClusterRules}) once its
   * new types' addresses are consumed. A user's state in a family that was removed, or whose layout changed, is
   * dropped when its owner next reads the user's entry; the users are counted again.
   */
  public Future<Void> use(RuleSet next, String nextFingerprint) {
    Promise<Void> used = Promise.promise();
    context.runOnContext(v -> typeConsumers.consume(vertx.eventBus(), next.types(), this::onBatch)
        .onFailure(used::fail)
        .onSuccess(registered -> {
          rules = next;
          fingerprint = nextFingerprint;
          ClusterRules.set(hazelcast, next);
          recount();
          publishFingerprint().onComplete(used);
        }));
    return used.future();
  }

  @Override
  public Future<?> start() {
    journalSync = new JournalSync(hazelcast, context, journal.syncs());
    partitions = new Partitions(hazelcast, ClusterSetup.USERS);
    ClusterRules.setUserRates(hazelcast, perUser);
    ClusterRules.set(hazelcast, rules);
    migrations = hazelcast.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {}

      @Override
      public void migrationFinished(MigrationState state) {
        context.runOnContext(v -> {
          recount();
          snapshotSoon();
        });
      }

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {}

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {}
    });
    membership = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        LOG.info("cluster: member {} joined; {} member(s)", event.getMember().getAddress(), event.getMembers().size());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        LOG.warn("cluster: member {} left; {} member(s): its users' backups take over", event.getMember().getAddress(),
            event.getMembers().size());
      }
    });
    List<Future<?>> registered = new ArrayList<>();
    registered.add(typeConsumers.consume(vertx.eventBus(), rules.types(), this::onBatch));
    List<MessageConsumer<?>> admin = List.of(
        vertx.eventBus().<Void>localConsumer(EventAddresses.ADMIN_DEAD_LETTERS, this::onListDeadLetters),
        vertx.eventBus().<String>localConsumer(EventAddresses.ADMIN_RETRY_DEAD_LETTER, this::onRetry));
    consumers.addAll(admin);
    admin.forEach(c -> registered.add(c.completion()));
    registered.add(publishFingerprint());
    pollTimer = vertx.setPeriodic(pollInterval.toMillis(), id -> poll());
    safetyTimer = vertx.setPeriodic(1, SAFETY_CHECK_MILLIS, id -> checkSafety());
    snapshotTimer = vertx.setPeriodic(state.snapshotInterval().toMillis(), id -> snapshot());
    startWorker = vertx.createSharedWorkerExecutor("events-processor.cluster-start", 1, 30,
        java.util.concurrent.TimeUnit.MINUTES);
    return Future.all(registered);
  }

  @Override
  public Future<?> stop() {
    ClusterRules.clear(hazelcast, rules);
    hazelcast.getPartitionService().removeMigrationListener(migrations);
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(safetyTimer);
    vertx.cancelTimer(snapshotTimer);
    vertx.cancelTimer(migratedTimer);
    startWorker.close();
    hazelcast.getCluster().removeMembershipListener(membership);
    Future<?> unregistered = typeConsumers.unregister()
        .compose(v -> Future.all(consumers.stream().map(MessageConsumer::unregister).toList()));
    return unregistered.compose(v -> {
      if (waiting.isEmpty()) {
        return Future.succeededFuture();
      }
      drained = Promise.promise();
      return drained.future();
    });
  }

  /**
   * Saves what this node holds in its journal's snapshot, when stopping, before it hands its partitions over;
   * blocking. Nothing when what the journal held at the start is not back in the map yet: the journal keeps it.
   */
  public void saveFinal() throws java.io.IOException {
    if (restored) {
      long entries = journal.snapshot(hazelcast);
      LOG.info("cluster: {} entr(ies) this node holds saved in its journal's snapshot", entries);
    }
  }

  /** Entries this node put back into the map from its journal at its start (readable from any thread). */
  public long entriesPutBack() {
    return entriesPutBack.sum();
  }

  /** Calls this node made to apply the events it took, one per partition and turn (readable from any thread). */
  public long calls() {
    return calls.sum();
  }

  /** Events applied by this node's requests (readable from any thread). */
  public long applied() {
    return applied.sum();
  }

  /** Users whose entry this node owns (their backups elsewhere not counted). */
  public long ownedUsers() {
    return users == null ? 0 : users.getLocalMapStats().getOwnedEntryCount();
  }

  /**
   * Once the node sees its quorum: what its journal and the cluster's last node saved goes back into the maps; the
   * node takes events once a quorum of the members has done the same (or the cluster was running already), so that
   * no event is applied to a user before its newest entry is back.
   */
  private Future<Void> becomeReady() {
    if (hazelcast.getCluster().getMembers().size() < quorum) {
      return Future.succeededFuture();
    }
    // Putting a journal back may take longer than a worker thread is expected to be busy: a thread of its own.
    return startWorker.executeBlocking(() -> {
      users = hazelcast.getMap(ClusterSetup.USERS);
      deadLetters = hazelcast.getMap(ClusterSetup.DEAD_LETTERS);
      IMap<String, Boolean> starts = hazelcast.getMap(STARTS);
      if (!restored) {
        restore(starts.containsKey(RUNNING));
        ClusterState.load(hazelcast, state.dir());
        starts.put(hazelcast.getCluster().getLocalMember().getUuid().toString(), true);
        restored = true;
      }
      if (starts.containsKey(RUNNING)) {
        return true;
      }
      long done = hazelcast.getCluster().getMembers().stream()
          .filter(m -> starts.containsKey(m.getUuid().toString())).count();
      if (done < quorum) {
        return false;
      }
      starts.put(RUNNING, true);
      return true;
    }, false).onSuccess(takesEvents -> {
      if (takesEvents) {
        ready = true;
        recount();
        LOG.info("rules: {} member(s) in the cluster: taking events", hazelcast.getCluster().getMembers().size());
      }
    }).mapEmpty();
  }

  /**
   * Puts back what this node's journal held, each entry unless the map has a newer one; blocking. When the cluster
   * was running already, only entries newer than a tombstone lasts: an older one may be of a user removed since.
   */
  private void restore(boolean running) throws InterruptedException {
    Map<String, ClusterJournal.Saved> saved = journal.takeSaved();
    long oldest = running ? clock.millis() - ClusterUser.TOMBSTONE_KEPT.toMillis() : Long.MIN_VALUE;
    // One call per partition (and at most RESTORE_BATCH users): 100,000 users one call each took minutes.
    Map<Integer, Map<String, ClusterUser>> byPartition = new HashMap<>();
    long skipped = 0;
    for (Map.Entry<String, ClusterJournal.Saved> entry : saved.entrySet()) {
      ClusterJournal.Saved s = entry.getValue();
      if (s.entry() == null || ClusterUser.versionMillis(s.version()) < oldest) {
        skipped++;
        continue;
      }
      int partition = partitions.of(entry.getKey());
      byPartition.computeIfAbsent(partition, p -> new HashMap<>()).put(entry.getKey(), s.entry());
    }
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(RESTORES_IN_FLIGHT);
    Map<String, ClusterJournal.Saved> failed = new java.util.concurrent.ConcurrentHashMap<>();
    LongAdder put = new LongAdder();
    for (Map<String, ClusterUser> partition : byPartition.values()) {
      List<String> keys = new ArrayList<>(partition.keySet());
      for (int from = 0; from < keys.size(); from += RESTORE_BATCH) {
        Map<String, ClusterUser> batch = new HashMap<>();
        keys.subList(from, Math.min(keys.size(), from + RESTORE_BATCH)).forEach(k -> batch.put(k, partition.get(k)));
        inFlight.acquire();
        users.submitToKeys(batch.keySet(), new UserProcessors.RestoreUsers(batch)).whenComplete((answers, e) -> {
          if (e != null) {
            batch.forEach((k, v) -> failed.put(k, saved.get(k)));
          } else {
            long n = answers.values().stream().filter(Boolean.TRUE::equals).count();
            put.add(n);
            entriesPutBack.add(n);
          }
          inFlight.release();
        });
      }
    }
    inFlight.acquire(RESTORES_IN_FLIGHT);
    if (!failed.isEmpty()) {
      journal.putBack(failed);
      throw new IllegalStateException(failed.size() + " of the entries this node's journal held could not be put "
          + "back yet");
    }
    LOG.info("cluster: {} user entr(ies) put back from this node's journal ({} newer in the cluster already, {} "
        + "removed or too old to put back)", put.sum(), saved.size() - skipped - put.sum(), skipped);
  }

  /** Saves a snapshot of what this node holds a moment after partitions moved (the moves end in bursts). */
  private void snapshotSoon() {
    if (migratedTimer < 0) {
      migratedTimer = vertx.setTimer(SNAPSHOT_AFTER_MIGRATION_MILLIS, id -> {
        migratedTimer = -1;
        snapshot();
      });
    }
  }

  /** Replaces this node's journal by a snapshot of what it holds, off the event loop, one at a time. */
  private void snapshot() {
    if (snapshotting || !restored) {
      return; // before what the journal held is back in the map, its segments are all there is of it
    }
    snapshotting = true;
    long started = System.nanoTime();
    vertx.executeBlocking(() -> journal.snapshot(hazelcast), false)
        .onSuccess(entries -> {
          snapshots.saved(System.nanoTime() - started);
          LOG.debug("cluster: snapshot of the {} entr(ies) this node holds saved", entries);
        })
        .onFailure(e -> {
          snapshots.failed(e.toString());
          LOG.error("cluster: the snapshot of this node's entries could not be saved ({}): its journal keeps "
              + "everything meanwhile, and grows", e.toString());
        })
        .onComplete(ar -> snapshotting = false);
  }

  /** What became of this node's snapshots (readable from any thread). */
  public SnapshotStats snapshots() {
    return snapshots;
  }

  /** Bytes of this node's journal on disk (readable from any thread). */
  public long journalBytes() {
    return journal.bytesOnDisk();
  }

  /** The journal's bound: past it, a snapshot is due sooner. */
  public long journalMaxBytes() {
    return state.journalMaxBytes();
  }

  /** An event of a batch, and where its answer goes. */
  private record Taken(BatchAnswer batch, int index) {
    Event event() {
      return batch.event(index);
    }
  }

  /** An edge's turn: each partition's events in one call to its owner, each user's in order (see {@link #apply}). */
  private void onBatch(Message<EventBatch> message) {
    BatchAnswer batch = new BatchAnswer(message);
    Map<Integer, Map<String, List<Taken>>> byPartition = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      if (!ready) {
        batch.refuse(i, unavailable());
      } else {
        String userId = batch.event(i).userId();
        byPartition.computeIfAbsent(partitions.of(userId), p -> new LinkedHashMap<>())
            .computeIfAbsent(userId, id -> new ArrayList<>(1)).add(new Taken(batch, i));
      }
    }
    byPartition.forEach((partition, byUser) -> {
      Map<String, List<Taken>> queued = waiting.get(partition);
      if (queued != null) {
        byUser.forEach((userId, taken) -> queued.computeIfAbsent(userId, id -> new ArrayList<>(1)).addAll(taken));
      } else {
        waiting.put(partition, new LinkedHashMap<>());
        apply(partition, byUser);
      }
    });
  }

  /**
   * Has the owner apply the events of a partition's users in one call; then those that came meanwhile, in the next.
   * One call per partition at a time keeps a user's events in order, and under load gathers what comes for the
   * partition while a call is under way: one operation and one backup for them, not one per user (the journal's
   * group commit, for the cluster's calls). The events are answered once every member synced what the call wrote
   * ({@link JournalSync}).
   */
  private void apply(int partition, Map<String, List<Taken>> byUser) {
    List<Event> events = new ArrayList<>();
    byUser.values().forEach(taken -> taken.forEach(t -> events.add(t.event())));
    calls.increment();
    OnContext.of(partitions.call(partition, byUser.keySet(), new UserProcessors.ApplyEvents(events, clock.millis())),
            context)
        .compose(replies -> journalSync.synced().map(replies))
        .onComplete(result -> {
          byUser.forEach((userId, taken) -> answer(userId, taken, result));
          Map<String, List<Taken>> next = waiting.remove(partition);
          if (!next.isEmpty()) {
            waiting.put(partition, new LinkedHashMap<>());
            apply(partition, next);
          } else if (drained != null && waiting.isEmpty()) {
            drained.tryComplete();
          }
        });
  }

  /** Answers a user's events of a call: each its reply, or all refused when the call failed. */
  private void answer(String userId, List<Taken> taken, AsyncResult<Map<String, byte[]>> result) {
    if (result.succeeded()) {
      byte[] replies = result.result().get(userId);
      for (int i = 0; i < taken.size(); i++) {
        Reply reply = Reply.decode(replies[i]);
        if (reply != Reply.LIMITED) {
          applied.increment();
        }
        taken.get(i).batch().reply(taken.get(i).index(), reply);
      }
    } else {
      LOG.atWarn().addKeyValue("userId", userId)
          .addKeyValue("eventId", String.join(",", taken.stream().map(t -> t.event().id()).toList()))
          .log("rules: {} event(s) of user {} could not be applied by the cluster: {}", taken.size(), userId,
              result.cause().toString());
      taken.forEach(t -> t.batch().refuse(t.index(),
          "the cluster could not keep the event (" + result.cause().getMessage() + ")"));
    }
  }

  /**
   * Off the event loop and apart from the poll: Hazelcast's isClusterSafe asks every member and waits for their
   * answers; with a member dead but not yet removed it waits until it is (up to minutes), and meanwhile the last
   * answer must not stand: a check under way for longer than {@link #SAFETY_CHECK_STALE_NANOS} counts as unsafe.
   */
  private void checkSafety() {
    if (journal.bytesOnDisk() > state.journalMaxBytes()) {
      snapshot();
    }
    if (safetyCheckSince != 0) {
      return;
    }
    safetyCheckSince = System.nanoTime();
    vertx.executeBlocking(() -> hazelcast.getPartitionService().isClusterSafe(), false)
        .onComplete(ar -> {
          safe = ar.succeeded() && ar.result();
          safetyCheckSince = 0;
        });
  }

  /**
   * After partitions moved, the users this node owns are counted again per family (the entry processors count them
   * step by step on their owner, which no longer holds what moved away).
   */
  private void recount() {
    if (!ready) {
      return;
    }
    vertx.executeBlocking(() -> {
      List<RuleSet.UserState> owned = new ArrayList<>();
      for (String userId : users.localKeySet()) {
        ClusterUser user = users.get(userId);
        if (user != null && !user.isEmpty()) {
          owned.add(user.state(rules));
        }
      }
      rules.recount(owned);
      return owned.size();
    }, false).onFailure(e -> LOG.debug("rules: users not counted again after a migration: {}", e.toString()));
  }

  /** Wakes this node's users that are due, and hands their waiting notifications to this node's outbox. */
  private void poll() {
    if (polling) {
      return;
    }
    polling = true;
    if (!ready) {
      becomeReady().onComplete(ar -> {
        polling = false;
        if (ar.failed()) {
          LOG.warn("rules: the cluster's maps are not ready yet: {}", ar.cause().toString());
        }
      });
      return;
    }
    long now = clock.millis();
    vertx.executeBlocking(() -> {
          Set<String> due = users.localKeySet(Predicates.lessEqual(ClusterUser.WAKE_AT, now));
          Set<String> waiting = users.localKeySet(Predicates.lessThan(ClusterUser.PENDING_SINCE, DueTimer.NEVER));
          wakeUp(due, now);
          List<ClusterUser.Pending> pending = new ArrayList<>();
          if (!waiting.isEmpty()) {
            users.getAll(waiting).values().forEach(user -> pending.addAll(user.pending()));
          }
          return pending;
        }, false)
        .onSuccess(pending -> pending.forEach(this::handOver))
        .onFailure(e -> LOG.warn("rules: could not look for due users and waiting notifications: {}", e.toString()))
        .onComplete(ar -> polling = false);
  }

  /**
   * Wakes the users found due, one call per partition (blocking): each call's backup is synchronous, and a user
   * woken by an owner that dies before the backup has it is still due on the new owner, which wakes it again (the
   * same notifications, under the same ids).
   */
  private void wakeUp(Set<String> due, long now) throws InterruptedException, java.util.concurrent.ExecutionException {
    Map<Integer, List<String>> byPartition = new HashMap<>();
    for (String userId : due) {
      byPartition.computeIfAbsent(partitions.of(userId), p -> new ArrayList<>()).add(userId);
    }
    List<java.util.concurrent.CompletableFuture<?>> calls = new ArrayList<>(byPartition.size());
    byPartition.forEach((partition, userIds) ->
        calls.add(partitions.call(partition, userIds, new UserProcessors.WakeUp(now)).toCompletableFuture()));
    for (java.util.concurrent.CompletableFuture<?> call : calls) {
      call.get();
    }
  }

  /** Each waiting notification once: by its id and when it was queued (a dead letter queued again is new). */
  private void handOver(ClusterUser.Pending pending) {
    String id = pending.decode().id() + "@" + pending.decidedAt();
    if (handedOver.asMap().putIfAbsent(id, Boolean.TRUE) == null) {
      vertx.eventBus().send(EventAddresses.NOTIFICATIONS, Notification.fromJson(new JsonObject(pending.notification())));
    }
  }

  private void onListDeadLetters(Message<Void> request) {
    if (!ready) {
      request.fail(503, unavailable());
      return;
    }
    vertx.executeBlocking(() -> new ArrayList<>(deadLetters.values()), false).onComplete(listed -> {
      if (listed.failed()) {
        request.fail(503, "the cluster's dead letters cannot be read: " + listed.cause().getMessage());
        return;
      }
      JsonArray list = new JsonArray();
      listed.result().stream().map(json -> Outbox.DeadLetter.fromJson(new JsonObject(json)))
          .sorted(java.util.Comparator.comparingLong(Outbox.DeadLetter::failedAt)
              .thenComparing(d -> d.notification().id()))
          .forEach(d -> list.add(d.toJson()));
      request.reply(list);
    });
  }

  /** Back in the user's entry: the user's owner delivers it, with a fresh history. */
  private void onRetry(Message<String> request) {
    if (!ready) {
      request.fail(503, unavailable());
      return;
    }
    String id = request.body();
    OnContext.of(deadLetters.removeAsync(id), context).compose(json -> {
      if (json == null) {
        return Future.failedFuture(new IllegalArgumentException("no dead letter with id " + id));
      }
      JsonObject dead = new JsonObject(json);
      var notification = io.eventsprocessor.notify.Notification.fromJson(dead.getJsonObject("notification"));
      return OnContext.of(users.submitToKey(notification.userId(),
          new UserProcessors.AddNotification(notification, clock.millis())), context);
    }).onComplete(done -> {
      if (done.succeeded()) {
        LOG.info("dead letter {} queued again by an operator", id);
        request.reply(new JsonObject().put("id", id).put("status", "queued"));
      } else if (done.cause() instanceof IllegalArgumentException) {
        request.fail(404, done.cause().getMessage());
      } else {
        request.fail(503, "the dead letter could not be queued again: " + done.cause().getMessage());
      }
    });
  }

  /** What becomes of a notification, kept in the cluster: out of the user's entry, into the dead letters. */
  public io.eventsprocessor.notify.DeliveryRecords records() {
    return new io.eventsprocessor.notify.DeliveryRecords() {
      @Override
      public void delivered(io.eventsprocessor.notify.Notification notification, long at) {
        users.submitToKey(notification.userId(), new UserProcessors.RemoveNotification(notification.id()));
      }

      @Override
      public void deadLettered(Outbox.DeadLetter dead) {
        deadLetters.setAsync(dead.notification().id(), dead.toJson().encode());
        users.submitToKey(dead.notification().userId(), new UserProcessors.RemoveNotification(dead.notification().id()));
      }

      @Override
      public void requeued(io.eventsprocessor.notify.Notification notification, long at) {
        // The cluster's dead letters are queued again by the rules verticle, never by an outbox.
      }
    };
  }
}
