package io.eventsprocessor.policy;

import io.eventsprocessor.notify.Notification;

/**
 * A notification held back by quiet hours, with its text and id as decided: it goes out, once, when the user's event
 * clock reaches {@code releaseAt}. Kept in the user's state, so it is as durable as the rest of it.
 *
 * @param releaseAt the hours' end, epoch millis of the user's event clock
 * @param family    the index of the rule that decided it
 */
public record Deferred(long releaseAt, int family, Notification notification) {
  public static final Deferred[] NONE = new Deferred[0];
}
