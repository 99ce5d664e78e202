package io.eventsprocessor.notify;

import io.eventsprocessor.config.ConfigReader;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message text from config with {@code {name}} placeholders. The placeholders a template may use are fixed
 * when it is built, so that a typo in the config stops the service at start rather than reaching a user.
 */
public final class MessageTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");

  private final String text;
  private final Set<String> placeholders;

  private MessageTemplate(String text, Set<String> placeholders) {
    this.text = text;
    this.placeholders = placeholders;
  }

  /**
   * @throws IllegalArgumentException when a brace opens or closes no {@code {name}} placeholder, or naming the first
   *                                  placeholder that is not in {@code allowed}
   */
  public static MessageTemplate parse(String text, Set<String> allowed) {
    Matcher m = PLACEHOLDER.matcher(text);
    Set<String> used = new java.util.LinkedHashSet<>();
    int from = 0;
    while (m.find()) {
      unbalanced(text, from, m.start());
      if (!allowed.contains(m.group(1))) {
        throw new IllegalArgumentException(
            "unknown placeholder {" + m.group(1) + "}; allowed: " + allowed.stream().sorted().map(n -> "{" + n + "}").toList());
      }
      used.add(m.group(1));
      from = m.end();
    }
    unbalanced(text, from, text.length());
    return new MessageTemplate(text, Set.copyOf(used));
  }

  /** A brace between placeholders opens or closes none: a typo a user would otherwise read. */
  private static void unbalanced(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == '{' || c == '}') {
        throw new IllegalArgumentException("does not parse: the '" + c + "' at character " + (i + 1)
            + " is not part of a {name} placeholder");
      }
    }
  }

  /** The placeholders the text uses. */
  public Set<String> placeholders() {
    return placeholders;
  }

  public String render(Map<String, ?> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 32);
    while (m.find()) {
      Object value = values.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : String.valueOf(value)));
    }
    m.appendTail(out);
    return out.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MessageTemplate t && t.text.equals(text);
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
      java.util.Set<String> allowed) {
    String text = settings.string(key, defaultValue);
    try {
      return parse(text, allowed);
    } catch (IllegalArgumentException e) {
      settings.problem(key, e.getMessage(), text);
      return parse(defaultValue, allowed);
    }
  }
}
