package io.eventsprocessor;

import io.eventsprocessor.admin.AdminVerticle;
import com.hazelcast.core.HazelcastInstance;
import io.eventsprocessor.admin.Metrics;
import io.eventsprocessor.cluster.ClusterRules;
import io.eventsprocessor.cluster.ClusterRulesVerticle;
import io.eventsprocessor.cluster.ClusterState;
import io.eventsprocessor.config.AppConfig;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.congratulation.CongratulationFamily;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.LocalCodec;
import io.eventsprocessor.event.EventDecoder;
import io.eventsprocessor.ingest.Admission;
import io.eventsprocessor.ingest.Authenticator;
import io.eventsprocessor.ingest.Capacity;
import io.eventsprocessor.ingest.ClientAddresses;
import io.eventsprocessor.ingest.Gate;
import io.eventsprocessor.ingest.IngestStats;
import io.eventsprocessor.ingest.IngestVerticle;
import io.eventsprocessor.ingest.LateEvents;
import io.eventsprocessor.ingest.Readiness;
import io.eventsprocessor.logging.LogFormatEncoder;
import io.eventsprocessor.metrics.MetricsSetup;
import io.eventsprocessor.metrics.MetricsVerticle;
import io.eventsprocessor.metrics.ServiceMeters;
import io.eventsprocessor.notify.DeliveryRecords;
import io.eventsprocessor.notify.NotifySinkVerticle;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.notify.OutboxStats;
import io.eventsprocessor.notify.OutboxVerticle;
import io.eventsprocessor.reminder.ReminderFamily;
import io.eventsprocessor.rules.DuplicateFilter;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RulesVerticle;
import io.eventsprocessor.state.Journal;
import io.eventsprocessor.state.StateDir;
import io.eventsprocessor.time.Timers;
import io.eventsprocessor.unsupported.UnsupportedEventVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.shareddata.LocalMap;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: reads and checks the config, recovers the state (see {@link Recovery}), then deploys the
 * parts in an order that never loses an event: the notification sink and the outbox first, then the rules, and
 * the HTTP edge last, once every address it sends to has its consumers. They stop in the reverse order; once all
 * have stopped, the whole state is saved in a last snapshot.
 */
public class MainVerticle extends VerticleBase {
  /** The rule families the service runs; adding one is a line here (see the README, "Adding a rule family"). */
  public static final List<RuleFamily<?>> FAMILIES = List.of(new CongratulationFamily(), new ReminderFamily());

  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);
  private static final String WHOLE_SERVICE = "whole-service";
  private static final Duration COUNTS_PERIOD = Duration.ofMinutes(1);
  /** Exit code when the last snapshot could not be saved at a stop: the journal still holds it all. */
  static final int EXIT_STATE_NOT_SAVED = 74;

  private final Clock clock;
  private final Timers timers;
  private final Map<String, String> environment;
  private final List<RuleFamily<?>> families;
  private final Journal.SegmentOpener segments;
  private final boolean exitWhenNotSaved;
  private final Supplier<HazelcastInstance> hazelcast;
  private final List<IngestVerticle> edges = new CopyOnWriteArrayList<>();
  private final IngestStats stats = new IngestStats();
  private AdminVerticle admin;
  private MetricsVerticle metricsServer;
  private PrometheusMeterRegistry registry;
  private AutoCloseable jvmMetrics;
  private RuleEngine engine;
  private DuplicateFilter duplicates;
  private Outbox outboxContents;
  private OutboxStats outbox;
  private Readiness readiness;
  private RulesVerticle singleNodeRules;
  private ClusterRulesVerticle clusterRules;
  private Recovery.Recovered state;
  private StateDir clusterDir;

  /** As the launcher builds it: the system clock, Vert.x's timers, the process environment, the families above. */
  public MainVerticle() {
    this(Clock.systemUTC(), null, System.getenv(), FAMILIES, Journal.SegmentOpener.FILES, true,
        () -> Launcher.clusterManager().getHazelcastInstance());
  }

  public MainVerticle(Clock clock, Timers timers, Map<String, String> environment, List<RuleFamily<?>> families) {
    this(clock, timers, environment, families, Journal.SegmentOpener.FILES, false, null);
  }

  /**
   * @param timers           the timers of the rules and the outbox; null for Vert.x's own (tests pass virtual ones,
   *                         with a clock that moves with them)
   * @param segments         how the journal opens its files (tests open one that fails, as a full disk would)
   * @param exitWhenNotSaved whether a stop that could not save the last snapshot ends the process with
   *                         {@link #EXIT_STATE_NOT_SAVED} (as the launcher runs it), rather than just failing
   * @param hazelcast        this node's Hazelcast member, when Vert.x runs clustered
   */
  MainVerticle(Clock clock, Timers timers, Map<String, String> environment, List<RuleFamily<?>> families,
      Journal.SegmentOpener segments, boolean exitWhenNotSaved, Supplier<HazelcastInstance> hazelcast) {
    this.clock = clock;
    this.timers = timers;
    this.environment = environment;
    this.families = List.copyOf(families);
    this.segments = segments;
    this.exitWhenNotSaved = exitWhenNotSaved;
    this.hazelcast = hazelcast;
  }

  @Override
  public Future<?> start() {
    return ConfigLoader.load(vertx, config(), environment)
        .map(json -> ServiceConfig.from(json, families, ConfigLoader.variables(environment)))
        .compose(this::deploy);
  }

  private Future<?> deploy(ServiceConfig service) {
    if (!firstInThisProcess()) {
      // The launcher's -instances N starts N of this verticle; the first deploys the whole service, with N HTTP
      // edges, and the others nothing: the rules own the users' state and must see each event once.
      return Future.succeededFuture();
    }
    AppConfig config = service.app();
    LogFormatEncoder.use(config.logFormat());
    LocalCodec.register(vertx.eventBus());
    RuleSet rules = new RuleSet(service.families());
    duplicates = new DuplicateFilter(config.ingest().duplicateWindow(), config.ingest().duplicateMaxEntries(), clock);
    outboxContents = new Outbox(config.notifier().policy());
    outbox = new OutboxStats(config.outboxCapacity());
    return (vertx.isClustered() ? clustered(config, rules) : singleNode(config, rules))
        .compose(parts -> deployParts(config, rules, parts))
        .onFailure(e -> {
          // A start that failed stopped what it had started (see Layer); the next start must deploy it all again.
          roles().removeIfPresent(WHOLE_SERVICE, deploymentID());
          closeState();
        });
  }

  /**
   * What differs between a single node and a cluster's node: who keeps the users' state, and how, and what makes
   * it unable to take events (its parts of the readiness).
   */
  private record Parts(VerticleBase rules, DeliveryRecords deliveries, boolean ownDeadLetters,
      Consumer<PrometheusMeterRegistry> metrics, List<Readiness.Check> readiness) {}

  /** The users' state in this process, journaled in the state directory (see {@link Recovery}). */
  private Future<Parts> singleNode(AppConfig config, RuleSet rules) {
    engine = new RuleEngine(rules);
    return vertx.executeBlocking(() -> Recovery.run(config.state().dir(), config.state().sync(), segments, engine,
            duplicates, outboxContents, clock.millis()))
        .map(recovered -> {
          state = recovered;
          singleNodeRules = new RulesVerticle(engine, duplicates, state.journal(), clock, timers,
              new RulesVerticle.Settings(config.state().dir(), config.state().snapshotInterval(),
                  config.state().journalMaxBytes(), config.state().maxUsers()));
          RulesVerticle rulesVerticle = singleNodeRules;
          return new Parts(rulesVerticle, DeliveryRecords.in(state.journal()), true,
              registry -> Metrics.singleNode(registry, rulesVerticle), List.of(
                  new Readiness.Check("state", () -> cannotKeep(rulesVerticle.unavailable()),
                      Readiness.Effect.REFUSES_REQUESTS),
                  new Readiness.Check("users", () -> rulesVerticle.full()
                      ? "The service keeps the state of its most users (" + rulesVerticle.maxUsers()
                          + "): events of new users are refused"
                      : null, Readiness.Effect.NOT_READY),
                  // Snapshots failing again and again: the journal grows and the next start replays it all.
                  new Readiness.Check("snapshots", rulesVerticle::snapshotsFailing, Readiness.Effect.NOT_READY),
                  // A journal past twice its bound would go on to fill the disk: events wait for a snapshot.
                  new Readiness.Check("journal", rulesVerticle::journalOverBound, Readiness.Effect.REFUSES_REQUESTS)));
        });
  }

  /**
   * The users' state in the cluster's map, each user's on the node that owns it and backed up on another (see
   * {@link ClusterRulesVerticle}); the state directory holds what the cluster's last node saved when it stopped.
   */
  private Future<Parts> clustered(AppConfig config, RuleSet rules) {
    HazelcastInstance hazelcast = this.hazelcast.get();
    ClusterRules.set(rules, config.ingest().duplicateWindow().toMillis());
    return vertx.executeBlocking(() -> StateDir.open(config.state().dir())).map(dir -> {
      clusterDir = dir;
      clusterRules = new ClusterRulesVerticle(hazelcast, rules, clock, config.cluster().pollInterval(),
          config.cluster().minimumClusterSize(), dir.path());
      ClusterRulesVerticle rulesVerticle = clusterRules;
      return new Parts(rulesVerticle, rulesVerticle.records(), false,
          registry -> Metrics.cluster(registry, hazelcast, rulesVerticle),
          List.of(new Readiness.Check("cluster", () -> cannotKeep(rulesVerticle.unavailable()),
              Readiness.Effect.REFUSES_REQUESTS),
              new Readiness.Check("backups", rulesVerticle::copying, Readiness.Effect.REPORTED)));
    });
  }

  private Future<?> deployParts(AppConfig config, RuleSet rules, Parts parts) {
    EventDecoder decoder = new EventDecoder(families.stream().flatMap(f -> f.schemas().stream()).toList(),
        config.ingest().futureMargin(), config.ingest().cloudEventsTypePrefix());
    // One gate and one admission for all HTTP edges: a caller, a duplicate or a rate is judged the same whichever
    // edge a request reaches.
    List<Readiness.Check> checks = new ArrayList<>();
    checks.add(new Readiness.Check("outbox",
        () -> outbox.isFull() ? "The notification outbox is full (" + outbox.capacity() + " waiting)" : null,
        Readiness.Effect.REFUSES_REQUESTS));
    checks.addAll(parts.readiness());
    readiness = new Readiness(checks);
    Gate gate = new Gate(Authenticator.create(vertx, config.auth()),
        ClientAddresses.trusting(config.http().trustedProxies(), config.http().forwardedHeader()), config.rateLimit().perAddress(clock), readiness,
        new Capacity(config.http().maxConnections(), config.http().bodyBytesInFlight()), stats);
    ServiceMeters meters = metrics(rules, parts);
    if (singleNodeRules != null) {
      singleNodeRules.onDecided(meters::decided);
    }
    Admission admission = new Admission(config.rateLimit().perUser(clock), duplicates, new LateEvents(clock), stats,
        measured(Admission.Publisher.onBus(vertx.eventBus()), meters), clock);

    // Started in this order, stopped in the reverse one (see Layer).
    List<VerticleBase> layers = new ArrayList<>();
    if (config.notifySink().enabled()) {
      layers.add(new NotifySinkVerticle(config.notifySink().host(), config.notifySink().port()));
    }
    layers.add(new OutboxVerticle(config.notifier(), outboxContents, outbox, parts.deliveries(),
        parts.ownDeadLetters(), clock, timers));
    if (config.admin().enabled()) {
      admin = new AdminVerticle(config.admin(), registry);
      layers.add(admin);
    }
    if (config.metrics().server() == MetricsVerticle.Server.own) {
      metricsServer = new MetricsVerticle(config.metrics(), registry);
      layers.add(metricsServer);
    }
    layers.add(new UnsupportedEventVerticle());
    layers.add(parts.rules());
    return vertx.deployVerticle(Layer.of(layers, () -> {
      IngestVerticle edge = new IngestVerticle(config.http(), decoder, gate, admission, clock);
      edges.add(edge);
      return edge;
    }, context.getInstanceCount()))
        .onSuccess(v -> {
          logSummary(config);
          logCountsEveryMinute();
        });
  }

  /**
   * The process's registry (Vert.x's own when the Launcher built Vert.x with metrics), with the JVM's meters, the
   * counts the parts keep, and the histograms the parts feed.
   */
  private ServiceMeters metrics(RuleSet rules, Parts parts) {
    registry = MetricsSetup.of(vertx);
    jvmMetrics = MetricsSetup.bindJvmAndProcess(registry);
    Metrics.register(registry, stats, outbox, rules.families());
    parts.metrics().accept(registry);
    ServiceMeters meters = new ServiceMeters(registry);
    outbox.observe(meters);
    return meters;
  }

  /** The events the rules accept are measured on their way back: the admission itself is not touched. */
  private static Admission.Publisher measured(Admission.Publisher publisher, ServiceMeters meters) {
    return new Admission.Publisher() {
      @Override
      public Future<Admission.Status> accepted(Event event) {
        return publisher.accepted(event).map(status -> {
          if (status == Admission.Status.ACCEPTED) {
            meters.accepted(event);
          }
          return status;
        });
      }

      @Override
      public void unsupported(Event event) {
        publisher.unsupported(event);
      }
    };
  }

  /** Why events cannot be taken now, or null when they can: answered 503 before a request's body is read. */
  String refusal() {
    return readiness.refusal();
  }

  private static String cannotKeep(String unavailable) {
    return unavailable == null ? null : "The service cannot keep events now: " + unavailable;
  }

  /** What an operator reads after a start (see {@link StartupSummary}), and a warning when events are unprotected. */
  private void logSummary(AppConfig config) {
    StartupSummary.Ports ports = new StartupSummary.Ports(httpPort(), admin == null ? -1 : admin.actualPort(),
        metricsServer == null ? -1 : metricsServer.actualPort());
    LOG.info(StartupSummary.text(config, ports, vertx.isClustered(), edges.size(), Runtime.getRuntime().maxMemory())
        + "\n  started   " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
        + " ms after the JVM");
    String warning = StartupSummary.warning(config);
    if (warning != null) {
      LOG.warn(warning);
    }
  }

  /** The ingestion counters, for operators: a line a minute while anything changes. */
  private void logCountsEveryMinute() {
    String[] last = {stats.toString()};
    vertx.setPeriodic(COUNTS_PERIOD.toMillis(), id -> {
      String now = stats.toString();
      if (!now.equals(last[0])) {
        last[0] = now;
        LOG.info("ingestion since start: {}", now);
      }
    });
  }

  private boolean firstInThisProcess() {
    return roles().putIfAbsent(WHOLE_SERVICE, deploymentID()) == null;
  }

  /**
   * Runs once every part has stopped: saves the whole state in a last snapshot, so that the next start has no
   * journal to replay. When it cannot be saved, the journal still holds everything since the last snapshot: nothing
   * is lost, and the log and the exit code say what could not be written.
   */
  @Override
  public Future<?> stop() {
    roles().removeIfPresent(WHOLE_SERVICE, deploymentID());
    if (clusterDir != null) {
      return vertx.executeBlocking(() -> ClusterState.saveIfLast(hazelcast.get(), clusterDir.path()))
          .onFailure(e -> LOG.error("the cluster's state could not be saved by its last node: {}", e.toString()))
          .eventually(() -> {
            closeState();
            return Future.succeededFuture();
          });
    }
    if (state == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      Recovery.saveFinal(state.dir().path(), state.journal(), engine, duplicates, outboxContents);
      return null;
    }).onSuccess(v -> LOG.info("state saved in {}: {} user(s), {} queued notification(s)", state.dir().path(),
        engine.users(), outboxContents.size()))
        .onFailure(e -> {
          LOG.error("the last snapshot could not be saved ({}); the journal in {} keeps everything since the "
              + "previous one, and the next start replays it", e.getMessage(), state.dir().path());
          if (exitWhenNotSaved) {
            exitNow(EXIT_STATE_NOT_SAVED);
          }
        })
        .eventually(() -> {
          closeState();
          return Future.succeededFuture();
        });
  }

  private void closeState() {
    closeMetrics();
    if (state != null) {
      state.journal().close();
      state.dir().close();
      state = null;
    }
    if (clusterDir != null) {
      clusterDir.close();
      clusterDir = null;
    }
  }

  /**
   * The service's meters leave the registry with it: a registry Vert.x keeps (the Launcher's) outlives a deployment,
   * and a later one would otherwise find meters that read this one's counters.
   */
  private void closeMetrics() {
    if (registry == null) {
      return;
    }
    try {
      jvmMetrics.close();
    } catch (Exception e) {
      LOG.debug("the JVM's collection metrics did not close: {}", e.toString());
    }
    if (MetricsSetup.isVertxs(vertx, registry)) {
      List.copyOf(registry.getMeters()).stream().filter(m -> m.getId().getName().startsWith("events.processor."))
          .forEach(registry::remove);
    }
    registry = null;
  }

  /** Ends the process with this code, once the log is written out: the launcher would exit with 143 (SIGTERM). */
  private static void exitNow(int code) {
    ((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    Runtime.getRuntime().halt(code);
  }

  private LocalMap<String, String> roles() {
    return vertx.sharedData().getLocalMap(MainVerticle.class.getName());
  }

  /** What ingestion counted, over all HTTP edges. */
  public IngestStats ingestStats() {
    return stats;
  }

  /**
   * Whether everything accepted so far has had its effect: every event applied by the rules, every notification
   * they decided on delivered (or dead-lettered). For tests and benchmarks, which wait for it rather than for time.
   */
  public boolean settled() {
    if (engine == null) {
      throw new IllegalStateException("settled() tells of a single node only");
    }
    return stats.accepted() == engine.applied() && engine.decided() == outbox.received() && outbox.queued() == 0;
  }

  /** The port the HTTP edge listens on (useful when the config asks for port 0). */
  public int httpPort() {
    if (edges.isEmpty()) {
      throw new IllegalStateException("this instance runs no HTTP edge: the service was deployed by another one");
    }
    return edges.get(0).actualPort();
  }

  /** The port of the admin API, when it is enabled. */
  public int adminPort() {
    return admin.actualPort();
  }

  /** The port of the metrics' own server, when {@code metrics.server} is {@code own}. */
  public int metricsPort() {
    return metricsServer.actualPort();
  }
}
