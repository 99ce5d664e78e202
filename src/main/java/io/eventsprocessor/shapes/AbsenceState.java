package io.eventsprocessor.shapes;

import io.eventsprocessor.rules.CompactIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What an absence rule keeps of a user: the pending notification, if any, and the sessions in progress of the
 * duration rule it waits out (a trigger during one arms nothing).
 *
 * <p>Every user who triggered the rule holds one for its window, so it is kept small: the due time as epoch
 * microseconds (rounded up: nothing falls due before its time), the ids in {@link CompactIds} form, the trigger's
 * data fields as {@link DurationSession#data} keeps a start's.
 */
public final class AbsenceState {
  private static final long NONE = Long.MIN_VALUE;

  private final long dueAtMicros;
  private final Object triggerEventId;
  private final Object deviceId;
  private final Object data;
  private final List<OpenSession> inProgress;

  /**
   * @param dueAt          when the pending notification falls due on the user's clock, or null when none is pending
   * @param triggerEventId the event that armed it (the notification's cause)
   * @param deviceId       the device that sent the trigger
   * @param data           the trigger's data fields, by the rule's field order (null, a value, or a list)
   * @param inProgress     sessions in progress with their latest activity, so that they expire as sessions do
   */
  public AbsenceState(Instant dueAt, String triggerEventId, String deviceId, Object data, List<OpenSession> inProgress) {
    this(dueAt == null ? NONE : micros(dueAt), CompactIds.compact(triggerEventId), CompactIds.compact(deviceId), data,
        List.copyOf(inProgress));
  }

  private AbsenceState(long dueAtMicros, Object triggerEventId, Object deviceId, Object data,
      List<OpenSession> inProgress) {
    this.dueAtMicros = dueAtMicros;
    this.triggerEventId = triggerEventId;
    this.deviceId = deviceId;
    this.data = data;
    this.inProgress = inProgress;
  }

  /** When the pending notification falls due on the user's clock, or null when none is pending. */
  public Instant dueAt() {
    return dueAtMicros == NONE ? null
        : Instant.ofEpochSecond(Math.floorDiv(dueAtMicros, 1_000_000L), Math.floorMod(dueAtMicros, 1_000_000L) * 1_000L);
  }

  /** The event that armed the pending notification (its cause). */
  public String triggerEventId() {
    return CompactIds.text(triggerEventId);
  }

  /** The device that sent the trigger. */
  public String deviceId() {
    return CompactIds.text(deviceId);
  }

  /** The trigger's data fields: null, one value, or a list by the rule's field order. */
  public Object data() {
    return data;
  }

  public List<OpenSession> inProgress() {
    return inProgress;
  }

  /** Whether a notification is pending. */
  public boolean isPending() {
    return dueAtMicros != NONE;
  }

  public record OpenSession(String key, Instant lastActivityAt) {}

  static final AbsenceState EMPTY = new AbsenceState(NONE, null, null, null, List.of());

  static AbsenceState of(AbsenceState state) {
    return state == null ? EMPTY : state;
  }

  /** The trigger's value of the rule's {@code i}th field, of {@code count}. */
  String field(int i, int count) {
    if (data == null) {
      return null;
    }
    return count == 1 ? (String) data : (String) ((List<?>) data).get(i);
  }

  /** Whether the pending notification is due at {@code now} (false when none is pending). */
  boolean isDueAt(Instant now) {
    return isPending() && micros(now) >= dueAtMicros;
  }

  AbsenceState armed(Instant due, String eventId, String device, Object triggerData) {
    return new AbsenceState(micros(due), CompactIds.compact(eventId), CompactIds.compact(device), triggerData,
        inProgress);
  }

  AbsenceState withoutPending() {
    return new AbsenceState(NONE, null, null, null, inProgress);
  }

  /** Marks the session as in progress at {@code at}, at most {@code max} sessions kept. */
  AbsenceState active(String key, Instant at, int max) {
    List<OpenSession> next = new ArrayList<>(without(key).inProgress);
    next.add(new OpenSession(key, at));
    while (next.size() > max) {
      next.remove(0);
    }
    return new AbsenceState(dueAtMicros, triggerEventId, deviceId, data, List.copyOf(next));
  }

  boolean isInProgress(String key) {
    for (OpenSession s : inProgress) {
      if (s.key().equals(key)) {
        return true;
      }
    }
    return false;
  }

  AbsenceState without(String key) {
    if (!isInProgress(key)) {
      return this;
    }
    return new AbsenceState(dueAtMicros, triggerEventId, deviceId, data,
        inProgress.stream().filter(s -> !s.key().equals(key)).toList());
  }

  AbsenceState expire(Instant now, Duration expiry) {
    // Nearly always nothing expires: keep this state rather than copy it.
    boolean anyExpired = false;
    for (OpenSession s : inProgress) {
      anyExpired |= !s.lastActivityAt().plus(expiry).isAfter(now);
    }
    if (!anyExpired) {
      return this;
    }
    return new AbsenceState(dueAtMicros, triggerEventId, deviceId, data,
        inProgress.stream().filter(s -> s.lastActivityAt().plus(expiry).isAfter(now)).toList());
  }

  /** The next time something changes by itself: the notification falls due or a session expires. */
  Instant nextDue(Duration expiry) {
    Instant firstExpiry = expiry == null ? null : inProgress.stream().map(OpenSession::lastActivityAt)
        .min(Comparator.naturalOrder()).map(at -> at.plus(expiry)).orElse(null);
    Instant dueAt = dueAt();
    if (dueAt == null || (firstExpiry != null && firstExpiry.isBefore(dueAt))) {
      return firstExpiry;
    }
    return dueAt;
  }

  /** Null when nothing is left: a user with nothing pending costs no memory. */
  AbsenceState orNull() {
    return !isPending() && inProgress.isEmpty() ? null : this;
  }

  /** Epoch microseconds, rounded up. */
  private static long micros(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), (at.getNano() + 999L) / 1_000L);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AbsenceState other && dueAtMicros == other.dueAtMicros
        && Objects.equals(triggerEventId(), other.triggerEventId()) && Objects.equals(deviceId(), other.deviceId())
        && Objects.equals(data, other.data) && inProgress.equals(other.inProgress);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dueAtMicros, triggerEventId(), deviceId(), data, inProgress);
  }

  @Override
  public String toString() {
    return "AbsenceState[dueAt=" + dueAt() + ", triggerEventId=" + triggerEventId() + ", deviceId=" + deviceId()
        + ", data=" + data + ", inProgress=" + inProgress + "]";
  }
}
