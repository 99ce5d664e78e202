package io.eventsprocessor.rules;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.Zones;

/**
 * The config's {@code rules.defaults}: what holds for a user whose events never told it (a reserved name: no rule may
 * be called {@code defaults}).
 *
 * @param timeZone the zone of a user whose events told none (an IANA id or an offset)
 * @param locale   the language of a user whose events told none (a BCP 47 tag)
 */
public record RuleDefaults(String timeZone, String locale) {
  public static final String SECTION = "defaults";
  public static final RuleDefaults DEFAULT = new RuleDefaults("UTC", "en");

  /** Reads {@code rules.defaults}; a zone or a language tag that is not one is reported by its key. */
  public static RuleDefaults read(ConfigReader section) {
    String timeZone = section.string("timeZone", DEFAULT.timeZone());
    String locale = section.string("locale", DEFAULT.locale());
    try {
      timeZone = Zones.zone(timeZone);
    } catch (IllegalArgumentException e) {
      section.problem("timeZone", "must be a time zone: an IANA id such as \"Europe/Berlin\", or an offset such as "
          + "\"+02:00\"", timeZone);
      timeZone = DEFAULT.timeZone();
    }
    try {
      locale = Zones.locale(locale);
    } catch (IllegalArgumentException e) {
      section.problem("locale", "must be a BCP 47 language tag, e.g. \"de-AT\" or \"en\"", locale);
      locale = DEFAULT.locale();
    }
    section.done();
    return new RuleDefaults(timeZone, locale);
  }

  /** The user's zone: the latest an event told, or this default. */
  public String timeZoneOf(RuleSet.UserState user) {
    return user == null || user.timeZone() == null ? timeZone : user.timeZone();
  }

  /** The user's language: the latest an event told, or this default. */
  public String localeOf(RuleSet.UserState user) {
    return user == null || user.locale() == null ? locale : user.locale();
  }
}
