package io.eventsprocessor;

import io.eventsprocessor.config.AppConfig;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.event.EventDecoder;
import io.eventsprocessor.handler.RulesVerticle;
import io.eventsprocessor.ingest.Authenticator;
import io.eventsprocessor.ingest.Guards;
import io.eventsprocessor.ingest.IngestStats;
import io.eventsprocessor.ingest.IngestVerticle;
import io.eventsprocessor.admin.AdminVerticle;
import io.eventsprocessor.admin.Metrics;
import io.eventsprocessor.notify.NotifySinkVerticle;
import io.eventsprocessor.notify.OutboxStats;
import io.eventsprocessor.notify.OutboxVerticle;
import io.eventsprocessor.reminder.LaunchReminderRules;
import io.eventsprocessor.reminder.ReminderStateCodec;
import io.eventsprocessor.training.TrainingRules;
import io.eventsprocessor.training.TrainingStateCodec;
import io.eventsprocessor.unsupported.UnsupportedEventVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.shareddata.LocalMap;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: reads and checks the config, then deploys the parts in an order that never loses an
 * event: the notification sink and the outbox first, then the handlers, and the HTTP edge last, once every
 * address it publishes to has its consumers; they stop in the reverse order.
 */
public class MainVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);
  private static final String HANDLERS = "handlers";
  private static final Duration COUNTS_PERIOD = Duration.ofMinutes(1);
  private final Clock clock;
  private final Map<String, String> environment;
  private final List<IngestVerticle> edges = new CopyOnWriteArrayList<>();
  private AdminVerticle admin;

  /** As the launcher builds it: the system clock and the process environment. */
  public MainVerticle() {
    this(Clock.systemUTC(), System.getenv());
  }

  public MainVerticle(Clock clock, Map<String, String> environment) {
    this.clock = clock;
    this.environment = environment;
  }

  @Override
  public Future<?> start() {
    return ConfigLoader.load(vertx, config(), environment).compose(this::deploy);
  }

  private Future<?> deploy(AppConfig config) {
    if (!firstInThisProcess()) {
      // The launcher's -instances N starts N of this verticle; the first deploys the whole service, with N HTTP
      // edges, and the others nothing: the handlers own the users' state and must see each event once.
      return Future.succeededFuture();
    }
    // Adding a rule family (and the event types it declares) is one line here.
    List<RulesVerticle<?>> handlers = List.of(
        new RulesVerticle<>("training", new TrainingRules(config.trainingCongratulation()), new TrainingStateCodec(),
            clock, config.state()),
        new RulesVerticle<>("reminder", new LaunchReminderRules(config.launchReminder()), new ReminderStateCodec(),
            clock, config.state()));
    EventDecoder decoder = new EventDecoder(handlers.stream().flatMap(h -> h.schemas().stream()).toList(),
        config.ingest().futureMargin());
    OutboxStats outbox = new OutboxStats(config.outboxCapacity());
    // One set for all HTTP edges: a duplicate or a rate is judged the same whichever edge a request reaches.
    Guards guards = Guards.create(Authenticator.create(vertx, config.auth()), config.rateLimit(),
        config.ingest().duplicates(), clock);

    // Started in this order, stopped in the reverse one (see Layer).
    List<VerticleBase> layers = new ArrayList<>();
    if (config.notifySink().enabled()) {
      layers.add(new NotifySinkVerticle(config.notifySink().host(), config.notifySink().port()));
    }
    layers.add(new OutboxVerticle(config.notifier(), outbox, clock, config.state()));
    if (config.admin().enabled()) {
      admin = new AdminVerticle(config.admin(), Metrics.create(guards.stats(), outbox, handlers));
      layers.add(admin);
    }
    layers.add(new UnsupportedEventVerticle());
    layers.addAll(handlers);
    return vertx.deployVerticle(Layer.of(layers, () -> {
      IngestVerticle edge = new IngestVerticle(config.http(), decoder, guards, outbox, clock);
      edges.add(edge);
      return edge;
    }, context.getInstanceCount()))
        .onSuccess(v -> logCountsEveryMinute(guards.stats()));
  }

  /** The ingestion counters, for operators: a line a minute while anything changes. */
  private void logCountsEveryMinute(IngestStats stats) {
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
    return roles().putIfAbsent(HANDLERS, deploymentID()) == null;
  }

  @Override
  public Future<?> stop() {
    roles().removeIfPresent(HANDLERS, deploymentID());
    return Future.succeededFuture();
  }

  private LocalMap<String, String> roles() {
    return vertx.sharedData().getLocalMap(MainVerticle.class.getName());
  }

  /** What ingestion counted, over all HTTP edges. */
  public IngestStats ingestStats() {
    return edges.get(0).stats();
  }

  /** The port the HTTP edge listens on (useful when the config asks for port 0). */
  public int httpPort() {
    return edges.get(0).actualPort();
  }

  /** The port of the admin API, when it is enabled. */
  public int adminPort() {
    return admin.actualPort();
  }
}
