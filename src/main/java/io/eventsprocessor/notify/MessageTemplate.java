package io.eventsprocessor.notify;

import com.ibm.icu.text.MessageFormat;
import com.ibm.icu.text.MessagePattern;
import com.ibm.icu.util.ULocale;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A message text from config in ICU's MessageFormat syntax, in one language: {@code {name}} placeholders, and the
 * forms that depend on a number, {@code {minutes, plural, one {# minute} other {# minutes}}}, whose categories are
 * the language's own (ICU knows them; we do not write plural rules by hand). The placeholders a template may use are
 * fixed when it is built, so that a typo in the config stops the service at start rather than reaching a user.
 */
public final class MessageTemplate {
  private final String text;
  private final Set<String> placeholders;
  /** Not thread-safe: formatting is serialised on it (a notification is rare next to an event). */
  private final MessageFormat format;

  private MessageTemplate(String text, Set<String> placeholders, MessageFormat format) {
    this.text = text;
    this.placeholders = placeholders;
    this.format = format;
  }

  /** A template in the default language (English plural rules). */
  public static MessageTemplate parse(String text, Set<String> allowed) {
    return parse(text, allowed, "en");
  }

  /**
   * @param locale the BCP 47 tag of the text's language: it decides the plural categories and number formats
   * @throws IllegalArgumentException when the text does not parse (a brace that opens or closes no placeholder), or
   *                                  naming the first placeholder that is not in {@code allowed}
   */
  public static MessageTemplate parse(String text, Set<String> allowed, String locale) {
    unbalanced(text);
    MessagePattern pattern;
    try {
      pattern = new MessagePattern(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("does not parse: " + e.getMessage());
    }
    Set<String> used = new LinkedHashSet<>();
    for (int i = 0; i < pattern.countParts(); i++) {
      MessagePattern.Part part = pattern.getPart(i);
      if (part.getType() == MessagePattern.Part.Type.ARG_NUMBER) {
        throw new IllegalArgumentException("placeholders are named, not numbered: {" + pattern.getSubstring(part) + "}");
      }
      if (part.getType() == MessagePattern.Part.Type.ARG_NAME) {
        String name = pattern.getSubstring(part);
        if (!allowed.contains(name)) {
          throw new IllegalArgumentException("unknown placeholder {" + name + "}; allowed: "
              + allowed.stream().sorted().map(n -> "{" + n + "}").toList());
        }
        used.add(name);
      }
    }
    return new MessageTemplate(text, Set.copyOf(used), new MessageFormat(text, ULocale.forLanguageTag(locale)));
  }

  /**
   * A brace that opens or closes no placeholder is a typo a user would otherwise read (ICU would print a lone
   * {@code '}'} as it is). Quoted text ({@code '{'}) is ICU's to judge.
   */
  private static void unbalanced(String text) {
    if (text.contains("'{") || text.contains("'}")) {
      return;
    }
    int depth = 0;
    int opened = -1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        opened = depth == 0 ? i : opened;
        depth++;
      } else if (c == '}') {
        if (depth == 0) {
          throw new IllegalArgumentException("does not parse: the '}' at character " + (i + 1)
              + " closes no {name} placeholder");
        }
        depth--;
      }
    }
    if (depth > 0) {
      throw new IllegalArgumentException("does not parse: the '{' at character " + (opened + 1)
          + " opens a placeholder that is never closed");
    }
  }

  /** The placeholders the text uses. */
  public Set<String> placeholders() {
    return placeholders;
  }

  /** The text with the values in; a placeholder with no value is left empty. */
  public String render(Map<String, ?> values) {
    Map<String, Object> all = new HashMap<>(values);
    for (String name : placeholders) {
      all.putIfAbsent(name, "");
    }
    synchronized (format) {
      return format.format(all);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MessageTemplate t && t.text.equals(text) && t.format.getULocale().equals(format.getULocale());
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }

  /** The message text at {@code key}, whose {placeholders} must be among {@code allowed}; a wrong one is reported. */
  public static MessageTemplate read(io.eventsprocessor.config.ConfigReader settings, String key, String defaultValue,
      Set<String> allowed) {
    String text = settings.string(key, defaultValue);
    try {
      return parse(text, allowed);
    } catch (IllegalArgumentException e) {
      settings.problem(key, e.getMessage(), text);
      return parse(defaultValue, allowed);
    }
  }
}
