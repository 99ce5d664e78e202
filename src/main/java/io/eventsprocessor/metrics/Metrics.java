package io.eventsprocessor.metrics;

import com.hazelcast.core.HazelcastInstance;
import io.eventsprocessor.cluster.ClusterRulesVerticle;
import io.eventsprocessor.ingest.IngestStats;
import io.eventsprocessor.notify.OutboxStats;
import io.eventsprocessor.policy.Reason;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RulesVerticle;
import io.eventsprocessor.rules.SnapshotStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The service's own counts as Prometheus metrics, read from the counters the parts already keep (nothing is
 * counted twice, and the hot paths do not touch the registry).
 */
public final class Metrics {
  private Metrics() {}

  /** The counts of every node: ingestion, delivery, the rule families. */
  public static void register(MeterRegistry registry, IngestStats ingest, OutboxStats outbox,
      List<RuleSet.Family<?>> families) {
    events(registry, ingest, "accepted", IngestStats::accepted);
    events(registry, ingest, "unsupported", IngestStats::unsupported);
    events(registry, ingest, "duplicate", IngestStats::duplicates);
    events(registry, ingest, "rejected", IngestStats::rejected);
    events(registry, ingest, "rate_limited", IngestStats::rateLimited);
    FunctionCounter.builder("events.processor.events.clamped", ingest, IngestStats::clamped)
        .description("Accepted events stamped too far in the future, taken at their receive time").register(registry);
    FunctionCounter.builder("events.processor.events.late", ingest, IngestStats::late)
        .description("Accepted events stamped before an earlier event of the same user").register(registry);
    FunctionCounter.builder("events.processor.requests.refused", ingest, IngestStats::unauthorized)
        .tag("status", "401").description("Requests refused for their credentials").register(registry);
    FunctionCounter.builder("events.processor.requests.refused", ingest, IngestStats::forbidden)
        .tag("status", "403").description("Requests refused for their credentials").register(registry);
    FunctionCounter.builder("events.processor.connections.refused", ingest, IngestStats::connectionsRefused)
        .description("Connections closed at once: as many were open as http.maxConnections").register(registry);
    FunctionCounter.builder("events.processor.connections.timed.out", ingest, IngestStats::timedOut)
        .description("Connections closed because a request's headers or body did not arrive in time")
        .register(registry);
    FunctionCounter.builder("events.processor.bodies.over.budget", ingest, IngestStats::overBudget)
        .description("Requests answered 503 because the bodies in flight filled http.bodyBytesInFlight")
        .register(registry);

    notifications(registry, outbox, "delivered", OutboxStats::delivered);
    notifications(registry, outbox, "retried", OutboxStats::retried);
    notifications(registry, outbox, "dead_lettered", OutboxStats::deadLettered);
    Gauge.builder("events.processor.outbox.queued", outbox, OutboxStats::queued)
        .description("Notifications waiting for delivery, in flight included").register(registry);
    Gauge.builder("events.processor.outbox.capacity", outbox, OutboxStats::capacity)
        .description("Queued notifications beyond which ingestion answers 503").register(registry);

    families(registry, families);
  }

  /**
   * Each rule family's meters: its users and its failures. A reload of the rules removes the old families' and
   * registers the new ones' (see {@link #replaceFamilies}).
   *
   */
  public static void families(MeterRegistry registry, List<RuleSet.Family<?>> families) {
    for (RuleSet.Family<?> family : families) {
      Gauge.builder("events.processor.users", family, RuleSet.Family::users)
          .tag("family", family.name()).description("Users with something pending in a rule family").register(registry);
      FunctionCounter.builder("events.processor.rules.failed", family, RuleSet.Family::failed)
          .tag("family", family.name()).description("Events and wake-ups whose rule threw (the user's state in that family kept)")
          .register(registry);
      for (Reason reason : Reason.values()) {
        FunctionCounter.builder("events.processor.notifications.suppressed", family, f -> f.suppressed(reason))
            .tag("family", family.name()).tag("reason", reason.name())
            .description("Notifications a rule decided that did not reach the user: capped, over the daily limit, "
                + "on a day the user trained, or dropped in quiet hours").register(registry);
      }
      FunctionCounter.builder("events.processor.notifications.deferred", family, RuleSet.Family::deferred)
          .tag("family", family.name()).description("Notifications held back by quiet hours (each counted again as "
              + "delivered when it goes out)").register(registry);
      Gauge.builder("events.processor.notifications.deferred.waiting", family, RuleSet.Family::held)
          .tag("family", family.name()).description("Notifications waiting for quiet hours to end on this node")
          .register(registry);
    }
  }

  /** The families' meters of rules that were reloaded: those of the families before go, those of {@code next} come. */
  public static void replaceFamilies(MeterRegistry registry, List<RuleSet.Family<?>> before,
      List<RuleSet.Family<?>> next) {
    for (RuleSet.Family<?> family : before) {
      registry.find("events.processor.users").tag("family", family.name()).meters().forEach(registry::remove);
      for (String name : List.of("events.processor.rules.failed", "events.processor.notifications.suppressed",
          "events.processor.notifications.deferred", "events.processor.notifications.deferred.waiting")) {
        registry.find(name).tag("family", family.name()).meters().forEach(registry::remove);
      }
    }
    families(registry, next);
  }

  /** A single node's: the cap on users; the snapshots and the journal, which say whether its state can be saved. */
  public static void singleNode(MeterRegistry registry, RulesVerticle rules) {
    Gauge.builder("events.processor.users.max", rules, RulesVerticle::maxUsers)
        .description("Users with state at most (state.maxUsers); beyond, new users are refused").register(registry);
    FunctionCounter.builder("events.processor.users.refused", rules, RulesVerticle::refusedNewUsers)
        .description("Events refused (503) because they would have added a user beyond state.maxUsers").register(registry);

    state(registry, rules.snapshots(), rules, RulesVerticle::journalBytes, RulesVerticle::journalMaxBytes);
  }

  /**
   * The snapshots and the journal, which say whether the state can be saved: a single node's, or what a cluster's
   * node holds (see {@link io.eventsprocessor.cluster.ClusterJournal}).
   */
  private static <T> void state(MeterRegistry registry, SnapshotStats snapshots, T journal,
      ToDoubleFunction<T> journalBytes, ToDoubleFunction<T> journalMaxBytes) {
    FunctionCounter.builder("events.processor.snapshots", snapshots, SnapshotStats::saved).tag("outcome", "saved")
        .description("Snapshots of the state, by outcome; the journal keeps everything since the last one saved")
        .register(registry);
    FunctionCounter.builder("events.processor.snapshots", snapshots, SnapshotStats::failed).tag("outcome", "failed")
        .description("Snapshots of the state, by outcome; the journal keeps everything since the last one saved")
        .register(registry);
    Gauge.builder("events.processor.snapshots.failing", snapshots, SnapshotStats::failingInARow)
        .description("Snapshots that failed since the last one saved; from " + SnapshotStats.FAILURES_NOT_READY
            + " the service is not ready").register(registry);
    FunctionTimer.builder("events.processor.snapshot.duration", snapshots, SnapshotStats::saved,
            SnapshotStats::savedSeconds, TimeUnit.SECONDS)
        .description("Time to capture and write the snapshots saved, to their sync and rename").register(registry);
    Gauge.builder("events.processor.journal.bytes", journal, journalBytes)
        .description("Bytes of the journal on disk: what the next start would replay").register(registry);
    Gauge.builder("events.processor.journal.max.bytes", journal, journalMaxBytes)
        .description("The journal's bound (state.journalMaxMegabytes): past it a snapshot is due; past twice it, "
            + "events are refused until one is saved").register(registry);
  }

  /** A cluster node's: the members it sees, the users it owns, whether every partition has its backup. */
  public static void cluster(MeterRegistry registry, HazelcastInstance hazelcast, ClusterRulesVerticle rules) {
    Gauge.builder("events.processor.cluster.members", hazelcast, h -> h.getCluster().getMembers().size())
        .description("Members of the cluster this node sees").register(registry);
    Gauge.builder("events.processor.cluster.users.owned", rules, ClusterRulesVerticle::ownedUsers)
        .description("Users whose entry this node owns (their backups elsewhere), tombstones of the last hour "
            + "included").register(registry);
    Gauge.builder("events.processor.cluster.safe", rules, r -> r.safe() ? 1 : 0)
        .description("1 when every partition has its backup in sync (checked every second)").register(registry);
    FunctionCounter.builder("events.processor.cluster.calls", rules, ClusterRulesVerticle::calls)
        .description("Calls this node made to have its events applied, one per partition and turn: under load one "
            + "gathers the events that came for the partition while the last was under way").register(registry);
    FunctionCounter.builder("events.processor.cluster.entries.put.back", rules, ClusterRulesVerticle::entriesPutBack)
        .description("Users' entries this node put back into the map from its journal when it started (those the "
            + "map did not hold newer)").register(registry);
    state(registry, rules.snapshots(), rules, ClusterRulesVerticle::journalBytes, ClusterRulesVerticle::journalMaxBytes);
  }

  private static void events(MeterRegistry registry, IngestStats ingest, String outcome,
      ToDoubleFunction<IngestStats> count) {
    FunctionCounter.builder("events.processor.events", ingest, count).tag("outcome", outcome)
        .description("Events received, by what became of them").register(registry);
  }

  private static void notifications(MeterRegistry registry, OutboxStats outbox, String outcome,
      ToDoubleFunction<OutboxStats> count) {
    FunctionCounter.builder("events.processor.notifications", outbox, count).tag("outcome", outcome)
        .description("Delivery attempts and their outcome").register(registry);
  }
}
