package io.eventsprocessor;

import com.hazelcast.core.HazelcastInstance;
import io.eventsprocessor.bus.LocalCodec;
import io.eventsprocessor.bus.EventBatch;
import io.eventsprocessor.bus.Replies;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.ingest.IngestStats;
import io.eventsprocessor.ingest.Readiness;
import io.eventsprocessor.logging.LogFormatEncoder;
import io.eventsprocessor.metrics.ServiceMeters;
import io.eventsprocessor.metrics.ServiceRegistry;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.notify.OutboxStats;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.service.AppConfig;
import io.eventsprocessor.service.ServiceConfig;
import io.eventsprocessor.state.Journal;
import io.eventsprocessor.time.Timers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The composition root, and nothing else: reads and checks the config, picks the store the mode asks for (see
 * {@link Store}), wires readiness and metrics, then deploys the {@link Parts} in an order that never loses an
 * event. They stop in the reverse order; then the store saves what must outlive the process.
 */
public class MainVerticle extends VerticleBase {
  private static final String WHOLE_SERVICE = "whole-service";
  /** Exit code when the last snapshot could not be saved at a stop: the journal still holds it all. */
  static final int EXIT_STATE_NOT_SAVED = 74;

  /** What the verticle is given rather than reads itself, so that tests can give it something else. */
  private record Inputs(Clock clock, Timers timers, Map<String, String> environment, List<RuleFamily<?>> families,
      Journal.SegmentOpener segments, boolean exitWhenNotSaved, Supplier<HazelcastInstance> hazelcast) {}

  private final Inputs in;
  private final Parts parts = new Parts();
  private final IngestStats stats = new IngestStats();
  private ServiceRegistry registry;
  private OutboxStats outbox;
  private Readiness readiness;
  private Store store;
  private Supplier<JsonObject> reloadSource;
  private Reloader reloader;

  /** As the launcher builds it: the system clock, Vert.x's timers, the process environment, the shipped families. */
  public MainVerticle() {
    this(Clock.systemUTC(), null, System.getenv(), ServiceConfig.FAMILIES, Journal.SegmentOpener.FILES, true,
        () -> Launcher.clusterManager().getHazelcastInstance());
    this.reloadSource = Launcher.confFile();
  }

  public MainVerticle(Clock clock, Timers timers, Map<String, String> environment, List<RuleFamily<?>> families) {
    this(clock, timers, environment, families, Journal.SegmentOpener.FILES, false, null);
  }

  /**
   * @param timers           null for Vert.x's own (tests pass virtual ones, with a clock that moves with them)
   * @param segments         how the journal opens its files (tests open one that fails, as a full disk would)
   * @param exitWhenNotSaved whether a stop that could not save the last snapshot ends the process (the launcher's)
   * @param hazelcast        this node's Hazelcast member, when Vert.x runs clustered
   */
  MainVerticle(Clock clock, Timers timers, Map<String, String> environment, List<RuleFamily<?>> families,
      Journal.SegmentOpener segments, boolean exitWhenNotSaved, Supplier<HazelcastInstance> hazelcast) {
    this.in = new Inputs(clock, timers, environment, List.copyOf(families), segments, exitWhenNotSaved, hazelcast);
  }

  @Override
  public Future<?> start() {
    return ConfigLoader.load(vertx, config(), in.environment())
        .compose(json -> deploy(json, ServiceConfig.from(json, in.families(), ConfigLoader.variables(in.environment()))));
  }

  /** Where a reload of the rules reads the config again (see {@link Reloader}): the {@code -conf} file, or none. */
  MainVerticle reloadingFrom(Supplier<JsonObject> source) {
    this.reloadSource = source;
    return this;
  }

  private Future<?> deploy(JsonObject json, ServiceConfig service) {
    if (roles().putIfAbsent(WHOLE_SERVICE, deploymentID()) != null) {
      // The launcher's -instances N starts N of this verticle; the first deploys the whole service, with N HTTP
      // edges, and the others nothing: the rules own the users' state and must see each event once.
      return Future.succeededFuture();
    }
    AppConfig config = service.app();
    LogFormatEncoder.use(config.logFormat());
    LocalCodec.register(vertx.eventBus(), Event.class, EventBatch.class, Replies.class, Notification.class);
    RuleSet rules = service.ruleSet();
    Outbox contents = new Outbox(config.notifier().policy());
    outbox = new OutboxStats(config.outboxCapacity());
    return (vertx.isClustered() ? Store.cluster(vertx, config, rules, service.rulesFingerprint(), in.hazelcast().get(),
        in.clock())
        : Store.local(vertx, config, rules, contents, in.clock(), in.timers(), in.segments()))
        .compose(chosen -> {
          store = chosen;
          return deployParts(json, service, rules, contents);
        })
        .onFailure(e -> {
          // A start that failed stopped what it had started (see Layer); the next start must deploy it all again.
          roles().removeIfPresent(WHOLE_SERVICE, deploymentID());
          closeMetrics();
          if (store != null) {
            store.close();
          }
        });
  }

  private Future<?> deployParts(JsonObject json, ServiceConfig service, RuleSet rules, Outbox contents) {
    AppConfig config = service.app();
    readiness = store.readiness(new Readiness.Check("outbox", outbox::whyFull, Readiness.Effect.REFUSES_REQUESTS));
    registry = ServiceRegistry.open(vertx);
    ServiceMeters meters = registry.meters(stats, outbox, rules.families());
    store.metrics(registry.registry());
    store.onDecided(meters::decided);
    Edge edge = Edge.of(vertx, config, service.ruleFamilies(), readiness, stats, meters, in.clock(),
        store.keepsUserRates());
    reloader = new Reloader(vertx, reloadSource, in.environment(), in.families(), json, service, rules, store, edge,
        registry.registry());
    return parts.deploy(vertx, config, store, contents, outbox, registry.registry(), edge, in.clock(), in.timers(),
        context.getInstanceCount()).compose(v -> reloader.listen()).onSuccess(v -> {
          StartupSummary.log(config, parts.ports(), vertx.isClustered(), parts.edges());
          StartupSummary.logCountsEveryMinute(vertx, stats);
        });
  }

  /**
   * Runs once every part has stopped: the store saves what must outlive the process (see {@link Store#stop}). When
   * a single node's last snapshot could not be saved, the journal still holds it all, and the exit code says so.
   */
  @Override
  public Future<?> stop() {
    roles().removeIfPresent(WHOLE_SERVICE, deploymentID());
    if (reloader != null) {
      reloader.close();
    }
    if (store == null) {
      return Future.succeededFuture();
    }
    Store stopping = store;
    store = null;
    return stopping.stop(vertx).onFailure(e -> {
      if (in.exitWhenNotSaved()) {
        Launcher.exitNow(EXIT_STATE_NOT_SAVED); // the launcher would exit with 143 (SIGTERM)
      }
    }).eventually(() -> {
      closeMetrics();
      return Future.succeededFuture();
    });
  }

  private void closeMetrics() {
    ServiceRegistry.close(registry);
    registry = null;
  }

  private LocalMap<String, String> roles() {
    return vertx.sharedData().getLocalMap(MainVerticle.class.getName());
  }

  // What the running service tells tests and benchmarks: why it refuses events (null when it takes them), what
  // ingestion counted, whether everything accepted has had its effect (one node's), and the ports it listens on.

  String refusal() {
    return readiness.refusal();
  }

  public IngestStats ingestStats() {
    return stats;
  }

  public boolean settled() {
    return ((Store.Local) store).settled(stats, outbox);
  }

  public int httpPort() {
    return parts.httpPort();
  }

  public int adminPort() {
    return parts.adminPort();
  }

  public int metricsPort() {
    return parts.metricsPort();
  }
}
