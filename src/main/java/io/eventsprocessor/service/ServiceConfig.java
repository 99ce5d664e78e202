package io.eventsprocessor.service;

import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.rules.RecentEvents;
import io.eventsprocessor.rules.RuleDefaults;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RuleSet.Configured;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.UserRules;
import io.eventsprocessor.program.ProgramEvents;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.shapes.EventTypes;
import io.eventsprocessor.shapes.Shapes;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The whole configuration, checked at once: the service's own settings, the event types the config declares (see
 * {@link EventTypes}), and the rules. A rule is a section
 * {@code rules.<name>}: one with a {@code kind} is a rule of that shape (see {@link Shapes}; the shipped reminder and
 * congratulation are such rules), one named as a family written in Java is read by that family. Every wrong or
 * unknown key is reported together, by its full name.
 */
public record ServiceConfig(AppConfig app, List<Configured<?>> families, RuleDefaults defaults,
    JsonObject rulesSections) {
  /**
   * The rule families written in Java that the service runs, besides the rules of the config; adding one is a line
   * here (see docs/rules.md, "Adding a rule family"). The shipped rules are configuration: none is needed.
   */
  public static final List<RuleFamily<?>> FAMILIES = List.of();
  /** The rules section's keys before each family had one name everywhere. */
  private static final Set<String> FORMER_KEYS = Set.of("trainingCongratulation", "launchReminder", "sessionExpiry");

  /** @throws io.eventsprocessor.config.ConfigException naming every key that is wrong or unknown */
  public static ServiceConfig from(JsonObject json, List<RuleFamily<?>> families) {
    return from(json, families, Map.of());
  }

  /**
   * @param variables full key to the environment variable that set it: a wrong value is named by its variable
   * @throws io.eventsprocessor.config.ConfigException naming every key that is wrong or unknown
   */
  public static ServiceConfig from(JsonObject json, List<RuleFamily<?>> families, Map<String, String> variables) {
    JsonObject withShipped = json.copy().put("rules", Shapes.withShipped(json.getValue("rules")));
    ConfigReader root = ConfigReader.root(withShipped, variables);
    AppConfig app = AppConfig.read(root);
    Map<String, EventSchema> types = EventTypes.read(root.object("events"), ProgramEvents.KNOWN);
    ConfigReader rules = root.object("rules");
    RuleDefaults defaults = RuleDefaults.read(rules.object(RuleDefaults.SECTION));
    // The sections' first names, before each family had one name everywhere.
    rules.renamed("trainingCongratulation", "rules.congratulation");
    rules.renamed("launchReminder", "rules.reminder");
    rules.renamed("sessionExpiry", "rules.<family>.sessionExpiry, one per family");
    Set<String> written = families.stream().map(RuleFamily::name).collect(Collectors.toSet());
    List<String> shaped = rules.keys().stream()
        .filter(k -> !written.contains(k) && !FORMER_KEYS.contains(k) && !k.equals(RuleDefaults.SECTION)).toList();
    List<Configured<?>> configured = new ArrayList<>();
    for (RuleFamily<?> family : Shapes.read(rules, shaped, types, defaults)) {
      configured.add(configure(family, rules));
    }
    for (RuleFamily<?> family : families) {
      configured.add(configure(family, rules));
    }
    rules.done();
    root.finish();
    // As they apply: the same settings, spelled out or left to their defaults, are the same sections.
    JsonObject sections = new JsonObject()
        .put("events", json.getValue("events") == null ? new JsonObject() : json.getValue("events"))
        .put("rules", withShipped.getJsonObject("rules").copy().put(RuleDefaults.SECTION,
            new JsonObject().put("timeZone", defaults.timeZone()).put("locale", defaults.locale())
                .put("maxPerDay", defaults.maxPerDay()).put("quietHours", defaults.quietHours() == null ? false
                    : new JsonObject().put("from", defaults.quietHours().from().toString())
                        .put("to", defaults.quietHours().to().toString()))));
    return new ServiceConfig(app, List.copyOf(configured), defaults, sections);
  }

  /**
   * What tells these rules from others: a digest of the {@code events} and {@code rules} sections as they apply (the
   * shipped rules' defaults included), whatever the order of their keys. Nodes of a cluster must have the same.
   */
  public String rulesFingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(canonical(rulesSections).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** JSON with every object's keys in order: the same settings give the same text. */
  private static String canonical(Object value) {
    if (value instanceof JsonObject object) {
      return object.fieldNames().stream().sorted()
          .map(k -> Json.encode(k) + ":" + canonical(object.getValue(k)))
          .collect(Collectors.joining(",", "{", "}"));
    }
    if (value instanceof JsonArray array) {
      return array.stream().map(ServiceConfig::canonical).collect(Collectors.joining(",", "[", "]"));
    }
    return Json.encode(value);
  }

  /** The rules as configured, with the duplicate memory's rule: the one processing core of both modes. */
  public RuleSet ruleSet() {
    return new RuleSet(families, new RecentEvents(app.ingest().duplicateWindow(), app.ingest().duplicatesPerUser()),
        defaults);
  }

  /** The families the rules run, as configured: the rules of the config, then those written in Java. */
  public List<RuleFamily<?>> ruleFamilies() {
    return families.stream().<RuleFamily<?>>map(Configured::family).toList();
  }

  private static <S> Configured<S> configure(RuleFamily<S> family, ConfigReader rules) {
    if (family instanceof io.eventsprocessor.shapes.ShapedFamily<S> shaped) {
      return new Configured<>(family, shaped.rules()); // read with the whole section
    }
    ConfigReader section = rules.object(family.name());
    UserRules<S> configured = family.configure(section);
    section.done();
    return new Configured<>(family, configured);
  }
}
