package io.eventsprocessor.reminder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the reminder rule keeps of a user: the pending reminder, if any, and the programs in progress
 * (a launch during one arms nothing).
 *
 * @param dueAt         when the pending reminder falls due on the user's clock, or null when none is pending
 * @param launchEventId the launch that armed it (the reminder's cause)
 * @param deviceId      the device that launched
 * @param inProgress    open programs with their latest activity, so that they expire like sessions do
 */
public record ReminderState(Instant dueAt, String launchEventId, String deviceId, List<OpenProgram> inProgress) {

  public record OpenProgram(String programId, Instant lastActivityAt) {}

  static final ReminderState EMPTY = new ReminderState(null, null, null, List.of());

  public ReminderState {
    inProgress = List.copyOf(inProgress);
  }

  static ReminderState of(ReminderState state) {
    return state == null ? EMPTY : state;
  }

  boolean isPending() {
    return dueAt != null;
  }

  ReminderState armed(Instant due, String eventId, String device) {
    return new ReminderState(due, eventId, device, inProgress);
  }

  ReminderState withoutReminder() {
    return new ReminderState(null, null, null, inProgress);
  }

  /** Marks the program as in progress at {@code at}, at most {@code max} programs kept. */
  ReminderState active(String programId, Instant at, int max) {
    List<OpenProgram> next = new ArrayList<>(without(programId).inProgress);
    next.add(new OpenProgram(programId, at));
    while (next.size() > max) {
      next.remove(0);
    }
    return new ReminderState(dueAt, launchEventId, deviceId, next);
  }

  boolean isInProgress(String programId) {
    return inProgress.stream().anyMatch(p -> p.programId().equals(programId));
  }

  ReminderState without(String programId) {
    return new ReminderState(dueAt, launchEventId, deviceId,
        inProgress.stream().filter(p -> !p.programId().equals(programId)).toList());
  }

  ReminderState expire(Instant now, Duration expiry) {
    return new ReminderState(dueAt, launchEventId, deviceId,
        inProgress.stream().filter(p -> p.lastActivityAt().plus(expiry).isAfter(now)).toList());
  }

  /** The next time something changes by itself: the reminder falls due or a program expires. */
  Instant nextDue(Duration expiry) {
    Instant firstExpiry = inProgress.stream().map(OpenProgram::lastActivityAt).min(Comparator.naturalOrder())
        .map(at -> at.plus(expiry)).orElse(null);
    if (dueAt == null || (firstExpiry != null && firstExpiry.isBefore(dueAt))) {
      return firstExpiry;
    }
    return dueAt;
  }

  /** Null when nothing is left: a user with nothing pending costs no memory. */
  ReminderState orNull() {
    return dueAt == null && inProgress.isEmpty() ? null : this;
  }
}
