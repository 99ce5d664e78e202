package io.eventsprocessor;

import com.hazelcast.core.HazelcastInstance;
import io.eventsprocessor.metrics.Metrics;
import io.eventsprocessor.cluster.ClusterJournal;
import io.eventsprocessor.cluster.ClusterRulesVerticle;
import io.eventsprocessor.cluster.ClusterState;
import io.eventsprocessor.service.AppConfig;
import io.eventsprocessor.ingest.IngestStats;
import io.eventsprocessor.ingest.Readiness;
import io.eventsprocessor.notify.DeliveryRecords;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.notify.OutboxStats;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RulesVerticle;
import io.eventsprocessor.state.Journal;
import io.eventsprocessor.state.StateDir;
import io.eventsprocessor.time.Timers;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the users' entries live, the one thing the two modes differ in: the same core ({@link RuleSet}) runs over
 * a journaled store in this process, or over the cluster's map. The composition root picks one; nothing under the
 * rules, the outbox or the edge knows which it has.
 */
interface Store {
  Logger LOG = LoggerFactory.getLogger(Store.class);

  /** The verticle that takes the events on their addresses and applies them to the users' entries. */
  VerticleBase rules();

  /** Where what becomes of a notification is kept. */
  DeliveryRecords deliveries();

  /** Whether the admin API's dead letters are this process's outbox's (or the store's own). */
  boolean ownDeadLetters();

  /**
   * Whether the store keeps each user's rate where the user's state is (a cluster's owner, which sees all of the
   * user's events whichever node took them), rather than each edge.
   */
  default boolean keepsUserRates() {
    return false;
  }

  /** The store's own meters. */
  void metrics(MeterRegistry registry);

  /** The store's parts of the readiness, named the same wherever they mean the same. */
  List<Readiness.Check> readiness();

  /** The service's readiness: {@code first}, then the store's checks. */
  default Readiness readiness(Readiness.Check first) {
    List<Readiness.Check> checks = new ArrayList<>(List.of(first));
    checks.addAll(readiness());
    return new Readiness(checks);
  }

  /** Hears, for each notification decided, the milliseconds since its cause. */
  void onDecided(LongConsumer latencyMillis);

  /** Saves what must outlive the process, once every part has stopped, then lets go of the state directory. */
  Future<Void> stop(Vertx vertx);

  /** Lets go of the state directory without saving: a start that failed. */
  void close();

  /**
   * Runs {@code next} from now on over the users' entries, the state of rules that stay kept (see {@link
   * RuleEngine#use}).
   *
   * @param fingerprint what tells these rules from others (see {@link io.eventsprocessor.service.ServiceConfig})
   * @return the users whose state was dropped, by family name (in a cluster, dropped as each user is next read)
   */
  Future<Map<String, Integer>> use(RuleSet next, String fingerprint);

  /** The users' entries in this process, journaled in the state directory (see {@link Recovery}). */
  static Future<Store> local(Vertx vertx, AppConfig config, RuleSet rules, Outbox outbox, Clock clock, Timers timers,
      Journal.SegmentOpener segments) {
    RuleEngine engine = new RuleEngine(rules);
    return vertx.executeBlocking(() -> Recovery.run(config.state().dir(), config.state().sync(), segments, engine,
        outbox, clock.millis())).map(state -> new Local(engine, state, outbox, new RulesVerticle(engine,
            state.journal(), clock, timers, new RulesVerticle.Settings(config.state().dir(),
            config.state().snapshotInterval(), config.state().journalMaxBytes(), config.state().maxUsers()))));
  }

  /**
   * The users' entries in the cluster's map, each on the node that owns the user and backed up on another (see
   * {@link ClusterRulesVerticle}); the state directory holds what the cluster's last node saved when it stopped.
   */
  static Future<Store> cluster(Vertx vertx, AppConfig config, RuleSet rules, String fingerprint,
      HazelcastInstance hazelcast, Clock clock) {
    return vertx.executeBlocking(() -> {
      StateDir dir = StateDir.open(config.state().dir());
      try {
        ClusterJournal journal = ClusterJournal.open(dir.path(), config.state().sync());
        journal.attach(hazelcast);
        return new Cluster(hazelcast, dir, journal, new ClusterRulesVerticle(hazelcast, rules, fingerprint,
            config.rateLimit().perUser(clock), clock, config.cluster().pollInterval(),
            config.cluster().minimumClusterSize(), config.state(), journal));
      } catch (Exception | Error e) {
        dir.close();
        throw e;
      }
    });
  }

  private static String cannotKeep(String unavailable) {
    return unavailable == null ? null : "The service cannot keep events now: " + unavailable;
  }

  /** The journaled store of one node. */
  record Local(RuleEngine engine, Recovery.Recovered state, Outbox outbox, RulesVerticle rules) implements Store {
    @Override
    public DeliveryRecords deliveries() {
      return DeliveryRecords.in(state.journal());
    }

    @Override
    public boolean ownDeadLetters() {
      return true;
    }

    @Override
    public void metrics(MeterRegistry registry) {
      Metrics.singleNode(registry, rules);
    }

    @Override
    public List<Readiness.Check> readiness() {
      return List.of(
          new Readiness.Check("state", () -> cannotKeep(rules.unavailable()), Readiness.Effect.REFUSES_REQUESTS),
          new Readiness.Check("users", () -> rules.full()
              ? "The service keeps the state of its most users (" + rules.maxUsers() + "): events of new users are "
                  + "refused"
              : null, Readiness.Effect.NOT_READY),
          // Snapshots failing again and again: the journal grows and the next start replays it all.
          new Readiness.Check("snapshots", rules::snapshotsFailing, Readiness.Effect.NOT_READY),
          // A journal past twice its bound would go on to fill the disk: events wait for a snapshot.
          new Readiness.Check("journal", rules::journalOverBound, Readiness.Effect.REFUSES_REQUESTS));
    }

    @Override
    public void onDecided(LongConsumer latencyMillis) {
      rules.onDecided(latencyMillis);
    }

    @Override
    public Future<Map<String, Integer>> use(RuleSet next, String fingerprint) {
      return rules.use(next);
    }

    /** Whether everything accepted has had its effect: applied, decided, delivered (what tests wait for). */
    boolean settled(IngestStats stats, OutboxStats outbox) {
      return stats.accepted() == engine.applied() && engine.decided() == outbox.received() && outbox.queued() == 0;
    }

    /**
     * Saves the whole state in a last snapshot, so that the next start has no journal to replay. When it cannot be
     * saved, the journal still holds everything since the last snapshot: nothing is lost.
     */
    @Override
    public Future<Void> stop(Vertx vertx) {
      return vertx.<Void>executeBlocking(() -> {
        Recovery.saveFinal(state.dir().path(), state.journal(), engine, outbox);
        return null;
      }).onSuccess(v -> LOG.info("state saved in {}: {} user(s), {} queued notification(s)", state.dir().path(),
          engine.users(), outbox.size()))
          .onFailure(e -> LOG.error("the last snapshot could not be saved ({}); the journal in {} keeps everything "
              + "since the previous one, and the next start replays it", e.getMessage(), state.dir().path()))
          .eventually(() -> {
            close();
            return Future.succeededFuture();
          });
    }

    @Override
    public void close() {
      state.journal().close();
      state.dir().close();
    }
  }

  /** The cluster's map, seen from one node. */
  record Cluster(HazelcastInstance hazelcast, StateDir dir, ClusterJournal journal, ClusterRulesVerticle rules)
      implements Store {
    @Override
    public DeliveryRecords deliveries() {
      return rules.records();
    }

    @Override
    public boolean ownDeadLetters() {
      return false;
    }

    @Override
    public boolean keepsUserRates() {
      return true;
    }

    @Override
    public void metrics(MeterRegistry registry) {
      Metrics.cluster(registry, hazelcast, rules);
    }

    @Override
    public List<Readiness.Check> readiness() {
      return List.of(
          // The same name as one node's: either way, the service cannot keep events now.
          new Readiness.Check("state", () -> cannotKeep(rules.unavailable()), Readiness.Effect.REFUSES_REQUESTS),
          new Readiness.Check("backups", rules::copying, Readiness.Effect.REPORTED),
          new Readiness.Check("snapshots", () -> rules.snapshots().failing(), Readiness.Effect.NOT_READY),
          // A config error to fix, reported: during a rolling reload every node differs from some other for a
          // moment, and not ready everywhere at once would be an outage.
          new Readiness.Check("rules", rules::differentRules, Readiness.Effect.REPORTED));
    }

    @Override
    public Future<Map<String, Integer>> use(RuleSet next, String fingerprint) {
      return rules.use(next, fingerprint).map(Map.of());
    }

    @Override
    public void onDecided(LongConsumer latencyMillis) {
      // Decided on the owner, inside an entry processor: measured there as delivery latency, not here.
    }

    /**
     * Every node saves what it holds in its journal's snapshot (the last one out holds every user); the cluster's
     * last node also saves the dead letters. The others hand theirs over.
     */
    @Override
    public Future<Void> stop(Vertx vertx) {
      return vertx.executeBlocking(() -> {
        rules.saveFinal();
        return ClusterState.saveIfLast(hazelcast, dir.path());
      })
          .<Void>mapEmpty()
          .recover(e -> {
            // Not the process's failure: the other nodes, if any, hold the users, and the journal what this node
            // held; the log says what was not saved.
            LOG.error("the cluster's state could not be saved by this node: {}", e.toString());
            return Future.succeededFuture();
          })
          .eventually(() -> {
            close();
            return Future.succeededFuture();
          });
    }

    @Override
    public void close() {
      journal.detach(hazelcast);
      journal.close();
      dir.close();
    }
  }
}
