/**
 * What of the rules' decisions reaches the user, when, and in which words: caps per rule and per day, quiet hours
 * in the user's time zone, no reminder on a day the user trained, and the message in the user's language. Plain
 * functions over a user's marks (what was sent when) and deferred notifications, judged on the user's event clock.
 */
package io.eventsprocessor.policy;
