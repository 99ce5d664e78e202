package io.eventsprocessor.policy;

/** Why a notification a rule decided did not reach the user: a metric's tag and a log line's words. */
public enum Reason {
  /** The rule's own cap for the period was reached. */
  capped("the rule's cap"),
  /** The user had {@code rules.defaults.maxPerDay} notifications that local day already. */
  daily_limit("the daily limit across rules"),
  /** A reminder on a day the user trained already. */
  trained_today("the user trained today"),
  /** Due inside quiet hours, and the rule drops what falls there. */
  quiet_hours("quiet hours");

  private final String words;

  Reason(String words) {
    this.words = words;
  }

  public String words() {
    return words;
  }
}
