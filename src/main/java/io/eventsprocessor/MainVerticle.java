package io.eventsprocessor;

import io.eventsprocessor.admin.AdminVerticle;
import io.eventsprocessor.admin.Metrics;
import io.eventsprocessor.config.AppConfig;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.congratulation.CongratulationFamily;
import io.eventsprocessor.event.EventDecoder;
import io.eventsprocessor.ingest.Admission;
import io.eventsprocessor.ingest.Authenticator;
import io.eventsprocessor.ingest.DuplicateFilter;
import io.eventsprocessor.ingest.Gate;
import io.eventsprocessor.ingest.IngestStats;
import io.eventsprocessor.ingest.IngestVerticle;
import io.eventsprocessor.ingest.LateEvents;
import io.eventsprocessor.notify.NotifySinkVerticle;
import io.eventsprocessor.notify.OutboxStats;
import io.eventsprocessor.notify.OutboxVerticle;
import io.eventsprocessor.reminder.ReminderFamily;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.RulesVerticle;
import io.eventsprocessor.time.Timers;
import io.eventsprocessor.unsupported.UnsupportedEventVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.shareddata.LocalMap;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: reads and checks the config, then deploys the parts in an order that never loses an
 * event: the notification sink and the outbox first, then the rules, and the HTTP edge last, once every
 * address it publishes to has its consumers; they stop in the reverse order.
 */
public class MainVerticle extends VerticleBase {
  /** The rule families the service runs; adding one is a line here (see the README, "Adding a rule family"). */
  public static final List<RuleFamily<?>> FAMILIES = List.of(new CongratulationFamily(), new ReminderFamily());

  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);
  private static final String WHOLE_SERVICE = "whole-service";
  private static final Duration COUNTS_PERIOD = Duration.ofMinutes(1);
  private final Clock clock;
  private final Timers timers;
  private final Map<String, String> environment;
  private final List<RuleFamily<?>> families;
  private final List<IngestVerticle> edges = new CopyOnWriteArrayList<>();
  private final IngestStats stats = new IngestStats();
  private AdminVerticle admin;
  private RuleEngine engine;
  private OutboxStats outbox;

  /** As the launcher builds it: the system clock, Vert.x's timers, the process environment, the families above. */
  public MainVerticle() {
    this(Clock.systemUTC(), null, System.getenv(), FAMILIES);
  }

  /**
   * @param timers the timers of the rules and the outbox; null for Vert.x's own (tests pass virtual ones, with a
   *               clock that moves with them)
   */
  public MainVerticle(Clock clock, Timers timers, Map<String, String> environment, List<RuleFamily<?>> families) {
    this.clock = clock;
    this.timers = timers;
    this.environment = environment;
    this.families = List.copyOf(families);
  }

  @Override
  public Future<?> start() {
    return ConfigLoader.load(vertx, config(), environment)
        .map(json -> ServiceConfig.from(json, families))
        .compose(this::deploy);
  }

  private Future<?> deploy(ServiceConfig service) {
    if (!firstInThisProcess()) {
      // The launcher's -instances N starts N of this verticle; the first deploys the whole service, with N HTTP
      // edges, and the others nothing: the rules own the users' state and must see each event once.
      return Future.succeededFuture();
    }
    AppConfig config = service.app();
    engine = new RuleEngine(service.families());
    EventDecoder decoder = new EventDecoder(families.stream().flatMap(f -> f.schemas().stream()).toList(),
        config.ingest().futureMargin());
    outbox = new OutboxStats(config.outboxCapacity());
    // One gate and one admission for all HTTP edges: a caller, a duplicate or a rate is judged the same whichever
    // edge a request reaches.
    Gate gate = new Gate(Authenticator.create(vertx, config.auth()), config.rateLimit().perAddress(clock),
        () -> outbox.isFull() ? "The notification outbox is full (" + outbox.capacity() + " waiting)" : null, stats);
    Admission admission = new Admission(config.rateLimit().perUser(clock),
        new DuplicateFilter(config.ingest().duplicates(), clock), new LateEvents(clock), stats,
        Admission.Publisher.onBus(vertx.eventBus()));

    // Started in this order, stopped in the reverse one (see Layer).
    List<VerticleBase> layers = new ArrayList<>();
    if (config.notifySink().enabled()) {
      layers.add(new NotifySinkVerticle(config.notifySink().host(), config.notifySink().port()));
    }
    layers.add(new OutboxVerticle(config.notifier(), outbox, clock, timers, config.state()));
    if (config.admin().enabled()) {
      admin = new AdminVerticle(config.admin(), Metrics.create(stats, outbox, engine.families()));
      layers.add(admin);
    }
    layers.add(new UnsupportedEventVerticle());
    layers.add(new RulesVerticle(engine, clock, timers, config.state()));
    return vertx.deployVerticle(Layer.of(layers, () -> {
      IngestVerticle edge = new IngestVerticle(config.http(), decoder, gate, admission, clock);
      edges.add(edge);
      return edge;
    }, context.getInstanceCount()))
        .onSuccess(v -> logCountsEveryMinute())
        // A start that failed stopped what it had started (see Layer); the next start must deploy it all again.
        .onFailure(e -> roles().removeIfPresent(WHOLE_SERVICE, deploymentID()));
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

  @Override
  public Future<?> stop() {
    roles().removeIfPresent(WHOLE_SERVICE, deploymentID());
    return Future.succeededFuture();
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
}
