package io.eventsprocessor.reminder;

import io.eventsprocessor.rules.CompactIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What the reminder rule keeps of a user: the pending reminder, if any, and the programs in progress
 * (a launch during one arms nothing).
 *
 * <p>Every user who opened the app holds one for the reminder's delay, so it is kept small: the due time as epoch
 * microseconds (rounded up: a reminder never falls due before its time), the ids in {@link CompactIds} form.
 */
public final class ReminderState {
  private static final long NONE = Long.MIN_VALUE;

  private final long dueAtMicros;
  private final Object launchEventId;
  private final Object deviceId;
  private final List<OpenProgram> inProgress;

  /**
   * @param dueAt         when the pending reminder falls due on the user's clock, or null when none is pending
   * @param launchEventId the launch that armed it (the reminder's cause)
   * @param deviceId      the device that launched
   * @param inProgress    open programs with their latest activity, so that they expire like sessions do
   */
  public ReminderState(Instant dueAt, String launchEventId, String deviceId, List<OpenProgram> inProgress) {
    this(dueAt == null ? NONE : micros(dueAt), CompactIds.compact(launchEventId), CompactIds.compact(deviceId),
        List.copyOf(inProgress));
  }

  private ReminderState(long dueAtMicros, Object launchEventId, Object deviceId, List<OpenProgram> inProgress) {
    this.dueAtMicros = dueAtMicros;
    this.launchEventId = launchEventId;
    this.deviceId = deviceId;
    this.inProgress = inProgress;
  }

  /** When the pending reminder falls due on the user's clock, or null when none is pending. */
  public Instant dueAt() {
    return dueAtMicros == NONE ? null
        : Instant.ofEpochSecond(Math.floorDiv(dueAtMicros, 1_000_000L), Math.floorMod(dueAtMicros, 1_000_000L) * 1_000L);
  }

  /** The launch that armed the pending reminder (its cause). */
  public String launchEventId() {
    return CompactIds.text(launchEventId);
  }

  /** The device that launched. */
  public String deviceId() {
    return CompactIds.text(deviceId);
  }

  public List<OpenProgram> inProgress() {
    return inProgress;
  }

  public record OpenProgram(String programId, Instant lastActivityAt) {}

  static final ReminderState EMPTY = new ReminderState(NONE, null, null, List.of());

  static ReminderState of(ReminderState state) {
    return state == null ? EMPTY : state;
  }

  boolean isPending() {
    return dueAtMicros != NONE;
  }

  /** Whether the pending reminder is due at {@code now} (false when none is pending). */
  boolean isDueAt(Instant now) {
    return isPending() && micros(now) >= dueAtMicros;
  }

  ReminderState armed(Instant due, String eventId, String device) {
    return new ReminderState(micros(due), CompactIds.compact(eventId), CompactIds.compact(device), inProgress);
  }

  ReminderState withoutReminder() {
    return new ReminderState(NONE, null, null, inProgress);
  }

  /** Marks the program as in progress at {@code at}, at most {@code max} programs kept. */
  ReminderState active(String programId, Instant at, int max) {
    List<OpenProgram> next = new ArrayList<>(without(programId).inProgress);
    next.add(new OpenProgram(programId, at));
    while (next.size() > max) {
      next.remove(0);
    }
    return new ReminderState(dueAtMicros, launchEventId, deviceId, List.copyOf(next));
  }

  boolean isInProgress(String programId) {
    for (OpenProgram p : inProgress) {
      if (p.programId().equals(programId)) {
        return true;
      }
    }
    return false;
  }

  ReminderState without(String programId) {
    if (!isInProgress(programId)) {
      return this;
    }
    return new ReminderState(dueAtMicros, launchEventId, deviceId,
        inProgress.stream().filter(p -> !p.programId().equals(programId)).toList());
  }

  ReminderState expire(Instant now, Duration expiry) {
    // Nearly always nothing expires: keep this state rather than copy it.
    boolean anyExpired = false;
    for (OpenProgram p : inProgress) {
      anyExpired |= !p.lastActivityAt().plus(expiry).isAfter(now);
    }
    if (!anyExpired) {
      return this;
    }
    return new ReminderState(dueAtMicros, launchEventId, deviceId,
        inProgress.stream().filter(p -> p.lastActivityAt().plus(expiry).isAfter(now)).toList());
  }

  /** The next time something changes by itself: the reminder falls due or a program expires. */
  Instant nextDue(Duration expiry) {
    Instant firstExpiry = inProgress.stream().map(OpenProgram::lastActivityAt).min(Comparator.naturalOrder())
        .map(at -> at.plus(expiry)).orElse(null);
    Instant dueAt = dueAt();
    if (dueAt == null || (firstExpiry != null && firstExpiry.isBefore(dueAt))) {
      return firstExpiry;
    }
    return dueAt;
  }

  /** Null when nothing is left: a user with nothing pending costs no memory. */
  ReminderState orNull() {
    return !isPending() && inProgress.isEmpty() ? null : this;
  }

  /** Epoch microseconds, rounded up. */
  private static long micros(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), (at.getNano() + 999L) / 1_000L);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReminderState other && dueAtMicros == other.dueAtMicros
        && Objects.equals(launchEventId(), other.launchEventId()) && Objects.equals(deviceId(), other.deviceId())
        && inProgress.equals(other.inProgress);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dueAtMicros, launchEventId(), deviceId(), inProgress);
  }

  @Override
  public String toString() {
    return "ReminderState[dueAt=" + dueAt() + ", launchEventId=" + launchEventId() + ", deviceId=" + deviceId()
        + ", inProgress=" + inProgress + "]";
  }
}
