package io.eventsprocessor.bus;

/**
 * Event-bus addresses, built in one place. Type names are lower-case identifiers ({@code [a-z0-9_]}),
 * so the hyphenated fallback address can never collide with a type's.
 */
public final class EventAddresses {
  public static final String PREFIX = "events-processor.";
  /** Well-formed events of a type that no handler declared. */
  public static final String UNSUPPORTED = PREFIX + "unsupported-event";
  /** Notifications the rules decided on, for delivery to the notification service. */
  public static final String NOTIFICATIONS = PREFIX + "notification";
  /** Request/reply between the admin API and the outbox. */
  public static final String ADMIN_OUTBOX = PREFIX + "admin.outbox";
  public static final String ADMIN_DEAD_LETTERS = PREFIX + "admin.dead-letters";
  public static final String ADMIN_RETRY_DEAD_LETTER = PREFIX + "admin.dead-letters.retry";
  /** Request/reply: read the -conf file's rules again (the admin API, SIGHUP); the reply says what changed. */
  public static final String ADMIN_RELOAD_RULES = PREFIX + "admin.rules.reload";
  /**
   * The header of the request that asks the outbox for its part of a snapshot, on {@link #NOTIFICATIONS}: the
   * outbox answers after every notification sent before it.
   */
  public static final String SNAPSHOT_HEADER = "snapshot";

  private EventAddresses() {}

  public static String forType(String type) {
    return PREFIX + "event." + type;
  }
}
