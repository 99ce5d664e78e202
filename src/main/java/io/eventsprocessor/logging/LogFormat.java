package io.eventsprocessor.logging;

/** How the service's log lines are written to stdout. */
public enum LogFormat {
  /** One line of text per event, for a person at a terminal. */
  text,
  /** One JSON object per line, for a log pipeline: ISO-8601 time, level, logger, thread, message, and the ids. */
  json
}
