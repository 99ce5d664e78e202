package io.eventsprocessor.ingest;

/**
 * Who sent a request, as far as the credentials tell.
 *
 * @param authenticated false only when authentication is off
 * @param subject       the user the credentials belong to (a JWT's {@code sub}), or null when they name none
 *                      (no authentication, or the app's shared write key)
 */
public record Caller(boolean authenticated, String subject) {
  static final Caller ANONYMOUS = new Caller(false, null);
  static final Caller APP = new Caller(true, null);

  static Caller user(String subject) {
    return new Caller(true, subject);
  }

  /** Whether this caller may send events of the given user. */
  boolean mayPostFor(String userId) {
    return subject == null || subject.equals(userId);
  }
}
