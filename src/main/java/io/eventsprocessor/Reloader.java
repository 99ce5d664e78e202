package io.eventsprocessor;

import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.metrics.Metrics;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.service.ServiceConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the rules without a restart: on {@code SIGHUP} (the launcher sends the request) and on the admin API's
 * {@code POST /v1/admin/rules/reload}, both on {@link EventAddresses#ADMIN_RELOAD_RULES}. The {@code -conf} file is
 * read again and checked whole, as at start; an invalid one is refused and the running rules stay. Only the
 * {@code events} and {@code rules} sections take effect; a change anywhere else is reported, and waits for a
 * restart. The new rules go first to the store (which moves the users' states, see {@link Store#use}), and only then
 * to the HTTP edges, so that an event of a new type is accepted once its rule can take it. One reload at a time.
 */
final class Reloader {
  private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

  private final Vertx vertx;
  private final Supplier<JsonObject> source;
  private final Map<String, String> environment;
  private final List<RuleFamily<?>> javaFamilies;
  private final Store store;
  private final Edge edge;
  private final MeterRegistry registry;
  private final Counter applied;
  private final Counter refused;
  /** The config as it applies now (the environment's variables over the file), and the rules it made. */
  private JsonObject running;
  private ServiceConfig runningConfig;
  private RuleSet runningRules;
  private Future<?> last = Future.succeededFuture();
  private MessageConsumer<Void> consumer;

  /**
   * @param source the {@code -conf} file, read again (null when the service was started without one)
   * @param javaFamilies the rule families written in Java, which a reload keeps
   */
  Reloader(Vertx vertx, Supplier<JsonObject> source, Map<String, String> environment,
      List<RuleFamily<?>> javaFamilies, JsonObject running, ServiceConfig runningConfig, RuleSet runningRules,
      Store store, Edge edge, MeterRegistry registry) {
    this.vertx = vertx;
    this.source = source;
    this.environment = environment;
    this.javaFamilies = javaFamilies;
    this.running = running;
    this.runningConfig = runningConfig;
    this.runningRules = runningRules;
    this.store = store;
    this.edge = edge;
    this.registry = registry;
    this.applied = Counter.builder("events.processor.rules.reloads").tag("outcome", "applied")
        .description("Reloads of the rules, applied or refused (the running rules stay)").register(registry);
    this.refused = Counter.builder("events.processor.rules.reloads").tag("outcome", "refused")
        .description("Reloads of the rules, applied or refused (the running rules stay)").register(registry);
  }

  /** Answers reload requests from now on, on the caller's context. */
  Future<Void> listen() {
    consumer = vertx.eventBus().localConsumer(EventAddresses.ADMIN_RELOAD_RULES, this::onRequest);
    return consumer.completion();
  }

  Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void onRequest(Message<Void> request) {
    Future<JsonObject> done = last.transform(v -> reload());
    last = done;
    done.onSuccess(request::reply).onFailure(e -> {
      refused.increment();
      int code = e instanceof ReplyException r ? r.failureCode() : 422;
      LOG.error("rules: reload refused, the running rules stay: {}", e.getMessage());
      request.fail(code, e.getMessage());
    });
  }

  private Future<JsonObject> reload() {
    if (source == null) {
      return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409,
          "The service was started without a -conf file: there is no file to read the rules from again."));
    }
    return vertx.executeBlocking(source::get).compose(file -> ConfigLoader.load(vertx, file, environment))
        .compose(this::apply);
  }

  /** Checks the config read again, and runs its rules if they changed. */
  private Future<JsonObject> apply(JsonObject json) {
    ServiceConfig next = ServiceConfig.from(json, javaFamilies, ConfigLoader.variables(environment));
    JsonObject report = changes(runningConfig.rulesSections().getJsonObject("rules"),
        next.rulesSections().getJsonObject("rules"));
    List<String> restartNeeded = restartNeeded(running, json);
    report.put("restartNeededFor", new JsonArray(restartNeeded));
    if (!restartNeeded.isEmpty()) {
      LOG.warn("rules: the -conf file also changed {}: that applies at the next restart", restartNeeded);
    }
    if (next.rulesFingerprint().equals(runningConfig.rulesFingerprint())) {
      running = json;
      return Future.succeededFuture(report.put("status", "unchanged").put("dropped", new JsonObject()));
    }
    // The duplicate memory is the ingestion's setting, not the rules': it stays as it runs.
    RuleSet rules = new RuleSet(next.families(), runningRules.recentEvents(), next.defaults());
    return store.use(rules, next.rulesFingerprint()).map(dropped -> {
      edge.decoder().use(next.ruleFamilies().stream().flatMap(f -> f.schemas().stream()).toList());
      Metrics.replaceFamilies(registry, runningRules.families(), rules.families());
      dropped.forEach((family, users) -> Counter.builder("events.processor.rules.state.dropped")
          .tag("family", family).description("Users whose pending state in a rule was dropped by a reload (the rule "
              + "was removed, or its shape, types or fields changed)").register(registry).increment(users));
      running = json;
      runningConfig = next;
      runningRules = rules;
      applied.increment();
      LOG.info("rules: reloaded: added {}, changed {}, removed {}; pending state dropped: {}",
          report.getJsonArray("added"), report.getJsonArray("changed"), report.getJsonArray("removed"),
          dropped.isEmpty() ? "none" : dropped);
      return report.put("status", "reloaded").put("dropped", new JsonObject(new TreeMap<>(dropped)));
    });
  }

  /** The rules added, changed and removed, by name. */
  private static JsonObject changes(JsonObject before, JsonObject after) {
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (String name : after.fieldNames()) {
      if (!before.containsKey(name)) {
        added.add(name);
      } else if (!Objects.equals(before.getValue(name), after.getValue(name))) {
        changed.add(name);
      }
    }
    before.fieldNames().stream().filter(name -> !after.containsKey(name)).forEach(removed::add);
    return new JsonObject().put("added", new JsonArray(added)).put("changed", new JsonArray(changed))
        .put("removed", new JsonArray(removed));
  }

  /** The top-level sections other than events and rules whose settings changed: they wait for a restart. */
  private static List<String> restartNeeded(JsonObject before, JsonObject after) {
    TreeSet<String> sections = new TreeSet<>(before.fieldNames());
    sections.addAll(after.fieldNames());
    sections.removeAll(List.of("events", "rules"));
    return sections.stream().filter(s -> !Objects.equals(before.getValue(s), after.getValue(s))).toList();
  }
}
