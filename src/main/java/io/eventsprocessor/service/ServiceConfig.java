package io.eventsprocessor.service;

import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.service.AppConfig;
import io.eventsprocessor.congratulation.CongratulationFamily;
import io.eventsprocessor.reminder.ReminderFamily;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.rules.RecentEvents;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RuleSet.Configured;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.UserRules;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, checked at once: the service's own settings, and each registered family's section
 * {@code rules.<family>}, read by the family itself. Every wrong or unknown key is reported together, by its full
 * name.
 */
public record ServiceConfig(AppConfig app, List<Configured<?>> families) {
  /** The rule families the service runs; adding one is a line here (see docs/rules.md, "Adding a rule family"). */
  public static final List<RuleFamily<?>> FAMILIES = List.of(new CongratulationFamily(), new ReminderFamily());

  /** @throws io.eventsprocessor.config.ConfigException naming every key that is wrong or unknown */
  public static ServiceConfig from(JsonObject json, List<RuleFamily<?>> families) {
    return from(json, families, Map.of());
  }

  /**
   * @param variables full key to the environment variable that set it: a wrong value is named by its variable
   * @throws io.eventsprocessor.config.ConfigException naming every key that is wrong or unknown
   */
  public static ServiceConfig from(JsonObject json, List<RuleFamily<?>> families, Map<String, String> variables) {
    ConfigReader root = ConfigReader.root(json, variables);
    AppConfig app = AppConfig.read(root);
    ConfigReader rules = root.object("rules");
    List<Configured<?>> configured = families.stream().<Configured<?>>map(f -> configure(f, rules)).toList();
    // The sections' first names, before each family had one name everywhere.
    rules.renamed("trainingCongratulation", "rules.congratulation");
    rules.renamed("launchReminder", "rules.reminder");
    rules.renamed("sessionExpiry", "rules.<family>.sessionExpiry, one per family");
    rules.done();
    root.finish();
    return new ServiceConfig(app, configured);
  }

  /** The rules as configured, with the duplicate memory's rule: the one processing core of both modes. */
  public RuleSet ruleSet() {
    return new RuleSet(families, new RecentEvents(app.ingest().duplicateWindow(), app.ingest().duplicatesPerUser()));
  }

  private static <S> Configured<S> configure(RuleFamily<S> family, ConfigReader rules) {
    ConfigReader section = rules.object(family.name());
    UserRules<S> configured = family.configure(section);
    section.done();
    return new Configured<>(family, configured);
  }
}
