package io.eventsprocessor.config;

import java.util.List;

/** The configuration is wrong; the message names every offending key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(List<String> problems) {
    super("invalid configuration:\n  " + String.join("\n  ", problems));
  }
}
