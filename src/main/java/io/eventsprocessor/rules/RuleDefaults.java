package io.eventsprocessor.rules;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.Zones;
import io.eventsprocessor.policy.QuietHours;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;

/**
 * The config's {@code rules.defaults}: what holds for a user whose events never told it, and what holds for every
 * rule that does not say otherwise (a reserved name: no rule may be called {@code defaults}).
 *
 * @param timeZone   the zone of a user whose events told none (an IANA id or an offset)
 * @param locale     the language of a user whose events told none (a BCP 47 tag), and of a message given as one text
 * @param maxPerDay  the most notifications a user gets per local day, all rules together; 0 for no limit
 * @param quietHours the hours, in the user's local time, in which rules keep quiet unless they say otherwise (with no
 *                   action: each rule says its own); null for none
 */
public record RuleDefaults(String timeZone, String locale, int maxPerDay, QuietHours quietHours) {
  public static final String SECTION = "defaults";
  public static final RuleDefaults DEFAULT =
      new RuleDefaults("UTC", "en", 3, new QuietHours(LocalTime.of(22, 0), LocalTime.of(7, 0), null));

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
    int maxPerDay = section.off("maxPerDay") ? 0 : section.integer("maxPerDay", DEFAULT.maxPerDay(), 1, 1000);
    QuietHours quietHours = null;
    if (!section.off("quietHours")) {
      ConfigReader hours = section.object("quietHours");
      quietHours = hours(hours, DEFAULT.quietHours());
      hours.done();
    }
    section.done();
    return new RuleDefaults(timeZone, locale, maxPerDay, quietHours);
  }

  /** {@code from} and {@code to}, local times such as "22:00", each defaulting to {@code given}'s. */
  public static QuietHours hours(ConfigReader section, QuietHours given) {
    return new QuietHours(time(section, "from", given.from()), time(section, "to", given.to()), given.action());
  }

  private static LocalTime time(ConfigReader section, String key, LocalTime defaultValue) {
    String text = section.string(key, defaultValue.toString());
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException e) {
      section.problem(key, "must be a local time such as \"22:00\"", text);
      return defaultValue;
    }
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
