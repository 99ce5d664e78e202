package io.eventsprocessor.notify;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A rule's message in the languages it was written in: a template per BCP 47 tag. The user's language picks one, from
 * the most specific tag to the least ({@code de-AT} → {@code de}), then the service's default language, then the
 * first written. A message given as one string is in the default language.
 */
public final class Messages {
  /** A message and the tag of the language it was picked in. */
  public record Picked(String locale, MessageTemplate template) {}

  private final Map<String, MessageTemplate> byLocale;
  private final String defaultLocale;

  /** @param byLocale templates by normalised tag (see {@code event.Zones#locale}), in the order written */
  public Messages(Map<String, MessageTemplate> byLocale, String defaultLocale) {
    if (byLocale.isEmpty()) {
      throw new IllegalArgumentException("a message needs at least one language");
    }
    this.byLocale = new LinkedHashMap<>(byLocale);
    this.defaultLocale = defaultLocale;
  }

  /** One text, in the default language. */
  public static Messages of(MessageTemplate template, String defaultLocale) {
    return new Messages(Map.of(defaultLocale, template), defaultLocale);
  }

  /** Every placeholder some language's text uses. */
  public Set<String> placeholders() {
    Set<String> all = new LinkedHashSet<>();
    byLocale.values().forEach(t -> all.addAll(t.placeholders()));
    return all;
  }

  /** The text in the default language (or the first written). */
  public MessageTemplate standard() {
    return pick(defaultLocale).template();
  }

  /** The template for a user who speaks {@code locale} (null: the default language), and the tag it was found by. */
  public Picked pick(String locale) {
    Picked picked = byTag(locale);
    if (picked == null) {
      picked = byTag(defaultLocale);
    }
    if (picked == null) {
      Map.Entry<String, MessageTemplate> first = byLocale.entrySet().iterator().next();
      picked = new Picked(first.getKey(), first.getValue());
    }
    return picked;
  }

  /** The template of the tag or of a less specific one: {@code de-AT-x-y} → {@code de-AT-x} → {@code de-AT} → {@code de}. */
  private Picked byTag(String tag) {
    while (tag != null && !tag.isEmpty()) {
      MessageTemplate template = byLocale.get(tag);
      if (template != null) {
        return new Picked(tag, template);
      }
      int dash = tag.lastIndexOf('-');
      tag = dash < 0 ? null : tag.substring(0, dash);
    }
    return null;
  }

  public Map<String, MessageTemplate> byLocale() {
    return Map.copyOf(byLocale);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Messages m && m.byLocale.equals(byLocale) && m.defaultLocale.equals(defaultLocale);
  }

  @Override
  public int hashCode() {
    return byLocale.hashCode();
  }

  @Override
  public String toString() {
    return byLocale.size() == 1 ? byLocale.values().iterator().next().toString() : byLocale.toString();
  }
}
