package io.eventsprocessor.rules;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.EventSchema;
import java.util.List;

/**
 * A family of rules, as the service learns it from its registration alone (see {@code RuleFamilies}): the rest of
 * the service holds nothing specific to a family.
 *
 * @param <S> the family's immutable per-user state; null means the user has nothing pending in this family
 */
public interface RuleFamily<S> {

  /**
   * The family's one name: its config section {@code rules.<name>}, its key in the saved state, its metric tag and
   * its log lines' prefix. Lower-case letters, digits and underscores.
   */
  String name();

  /** The event types it consumes, with the data fields it reads (required ones, lengths, legacy spellings). */
  List<EventSchema> schemas();

  /**
   * Reads the family's settings from {@code rules.<name>}: every key with its default; a wrong value or an unknown
   * key is reported through the reader, by its full name, and stops the service at start.
   */
  UserRules<S> configure(ConfigReader settings);

  /** How a user's state in this family is saved across restarts. */
  StateCodec<S> codec();

  /**
   * What a user's state in this family means: a saved or running state is kept, through a restart or a reload of the
   * rules, only by a family of the same name and the same layout; otherwise it is dropped and counted. A family
   * written in Java is its class; a configured rule is its shape and the types and fields that tie its events.
   */
  default String layout() {
    return getClass().getName();
  }

  /**
   * What its notifications must respect before they reach the user (caps, quiet hours) and the words they reach it in;
   * null for a family that is not guarded: what it decides goes out as it is.
   */
  default io.eventsprocessor.policy.RulePolicy policy() {
    return null;
  }
}
