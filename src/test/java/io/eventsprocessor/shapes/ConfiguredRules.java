package io.eventsprocessor.shapes;

import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.UserRules;
import io.eventsprocessor.service.ServiceConfig;
import io.vertx.core.json.JsonObject;

/** Rules as the service configures them from the config's rules section, for the rule tests. */
public final class ConfiguredRules {
  private ConfiguredRules() {}

  /** The rule {@code name}, with {@code rules} as the config's rules section (the shipped rules under it). */
  @SuppressWarnings("unchecked")
  public static <S> RuleSet.Configured<S> configured(String name, JsonObject rules) {
    return (RuleSet.Configured<S>) ServiceConfig.from(new JsonObject().put("rules", rules), ServiceConfig.FAMILIES)
        .families().stream().filter(f -> f.family().name().equals(name)).findFirst().orElseThrow();
  }

  /** A shipped rule, as shipped. */
  public static <S> RuleSet.Configured<S> shipped(String name) {
    return configured(name, new JsonObject());
  }

  /** The rule {@code name} with its section's keys overridden by {@code section}. */
  @SuppressWarnings("unchecked")
  public static <R extends UserRules<?>> R rules(String name, JsonObject section) {
    return (R) configured(name, new JsonObject().put(name, section)).rules();
  }
}
