package io.eventsprocessor.shapes;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.policy.RulePolicy;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.rules.StateCodec;
import io.eventsprocessor.rules.UserRules;
import java.util.List;

/**
 * A rule of one of the shapes, as its config section declared it: its name is the section's, its types are those
 * the section names. It was read with the whole rules section (a rule may refer to another), so {@link #configure}
 * has nothing left to read.
 *
 * @param shape        {@code absence} or {@code duration}
 * @param notification the kind of the notifications it sends
 * @param layout       its shape, types and the fields that tie them (see {@link RuleFamily#layout}): what its
 *                     settings may change without its users' state being dropped is everything else
 * @param policy       its caps, quiet hours and messages by language
 */
public record ShapedFamily<S>(String name, String shape, String notification, List<EventSchema> schemas,
    String layout, UserRules<S> rules, StateCodec<S> codec, RulePolicy policy) implements RuleFamily<S> {

  public ShapedFamily {
    schemas = List.copyOf(schemas);
  }

  @Override
  public UserRules<S> configure(ConfigReader settings) {
    return rules;
  }
}
