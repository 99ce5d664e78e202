package io.eventsprocessor.shapes;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.MessageTemplate;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.Outcome;
import io.eventsprocessor.rules.UserRules;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code absence} shape: after a trigger event, when none of the cancelling events follows within the configured
 * time on the user's event clock, the message is sent. At most one is pending per user; a second trigger keeps the
 * first due time, or restarts it, as configured. With a {@code match} field only a cancelling event with the
 * trigger's value of it cancels. A cancelling event stamped before the trigger (arriving late: an offline upload, a
 * second device) cancels nothing: it does not show what the user did after the trigger; one stamped at the due time
 * is too late. Optionally, a trigger while a session of a named duration rule is in progress arms nothing: the rule
 * then follows that rule's sessions itself (started, maybe paused, not ended, aborted or expired).
 *
 * <p>The notification falls due when the user's clock reaches the due time: by itself (a tick), or when a later
 * event shows that the time has passed, in which case it is sent before that event is applied.
 */
public record AbsenceRules(Settings settings) implements UserRules<AbsenceState> {
  /** Sessions in progress remembered per user; beyond it the least recently active is forgotten. */
  public static final int MAX_IN_PROGRESS = DurationRules.MAX_OPEN_SESSIONS;

  static final int TRIGGER = 1;
  static final int CANCEL = 2;
  static final int SESSION_START = 4;
  static final int SESSION_ACTIVITY = 8;
  static final int SESSION_END = 16;

  /**
   * @param notification     the notification's kind on the wire
   * @param roles            the rule's types: {@link #TRIGGER}, {@link #CANCEL}, and the waited-out rule's
   *                         {@link #SESSION_START}, {@link #SESSION_ACTIVITY} (pause, resume), {@link #SESSION_END}
   *                         (end, abort)
   * @param fields           the trigger's declared data fields, kept while pending and sent with the notification
   * @param matchIndex       the index in {@code fields} of the field a cancelling event must match; -1 for none
   * @param within           how long after the trigger, with no cancelling event, the message is sent
   * @param restart          whether a second trigger while one is pending restarts it (else it keeps its due time)
   * @param sessionField     the waited-out duration rule's session field; null for one session per user
   * @param sessionExpiry    that rule's session expiry; null when the rule waits out no sessions
   * @param triggeredAtField the notification's data field holding the trigger's time
   * @param message          the text, with {minutes} (the window in whole minutes) and the fields as placeholders
   */
  public record Settings(String notification, TypeRoles roles, List<String> fields, int matchIndex, Duration within,
      boolean restart, String sessionField, Duration sessionExpiry, String triggeredAtField, MessageTemplate message) {

    public Settings {
      fields = List.copyOf(fields);
    }
  }

  @Override
  public Outcome<AbsenceState> apply(AbsenceState state, Event event) {
    Instant at = event.occurredAt();
    int role = settings.roles().of(event.type());
    Outcome<AbsenceState> due = fireIfDue(event.userId(), AbsenceState.of(state), at);
    AbsenceState current = expire(AbsenceState.of(due == null ? state : due.state()), at);
    Outcome<AbsenceState> applied;
    if ((role & TRIGGER) != 0) {
      applied = trigger(current, event);
      AbsenceState next = track(applied.state(), role, event);
      if (next != applied.state()) { // a trigger that is also a session's event: rare
        applied = new Outcome<>(next, applied.notifications(), applied.reason(), applied.notable());
      }
    } else {
      boolean pending = current.isPending();
      boolean cancels = (role & CANCEL) != 0 && pending && !at.isBefore(triggeredAt(current)) && matches(current, event);
      AbsenceState next = track(cancels ? current.withoutPending() : current, role, event).orNull();
      applied = cancels
          ? Outcome.notable(next, () -> settings.notification() + " for " + current.triggerEventId() + " cancelled: "
              + event.type() + " " + event.id())
          : Outcome.quiet(next, () -> event.type() + " " + event.id() + (!pending || (role & CANCEL) == 0
              ? ": nothing pending changes"
              : " cancels nothing: " + (at.isBefore(triggeredAt(current)) ? "stamped before the trigger "
                  : "does not match the trigger ") + current.triggerEventId() + ", still due at " + current.dueAt()));
    }
    return applied.after(due);
  }

  private Outcome<AbsenceState> trigger(AbsenceState current, Event event) {
    if (current.isPending() && !settings.restart()) {
      return Outcome.quiet(current, () -> "trigger " + event.id() + " while " + settings.notification() + " for "
          + current.triggerEventId() + " is pending: it stays due at " + current.dueAt());
    }
    if (!current.inProgress().isEmpty()) {
      return Outcome.quiet(current, () -> "trigger " + event.id() + " while session " + current.inProgress().get(0).key()
          + " is in progress: nothing armed");
    }
    Instant due = event.occurredAt().plus(settings.within());
    String restarted = current.isPending() ? " (restarted: " + current.triggerEventId() + " no longer counts)" : "";
    return Outcome.notable(current.armed(due, event.id(), event.deviceId(), triggerData(event)),
        () -> settings.notification() + " armed, due at " + due + restarted);
  }

  /** Whether a cancelling event is about the pending trigger's match value (any, without a match field). */
  private boolean matches(AbsenceState pending, Event event) {
    if (settings.matchIndex() < 0) {
      return true;
    }
    String value = pending.field(settings.matchIndex(), settings.fields().size());
    return value != null && value.equals(event.dataString(settings.fields().get(settings.matchIndex())));
  }

  /** The sessions in progress of the duration rule waited out, after the event. */
  private AbsenceState track(AbsenceState state, int role, Event event) {
    if ((role & (SESSION_START | SESSION_ACTIVITY | SESSION_END)) == 0) {
      return state;
    }
    String key = settings.sessionField() == null ? null : event.dataString(settings.sessionField());
    key = key == null ? "" : key;
    if ((role & SESSION_START) != 0) {
      return state.active(key, event.occurredAt(), MAX_IN_PROGRESS);
    }
    if ((role & SESSION_ACTIVITY) != 0) {
      return state.isInProgress(key) ? state.active(key, event.occurredAt(), MAX_IN_PROGRESS) : state;
    }
    return state.without(key);
  }

  private AbsenceState expire(AbsenceState state, Instant now) {
    return settings.sessionExpiry() == null ? state : state.expire(now, settings.sessionExpiry());
  }

  @Override
  public Outcome<AbsenceState> tick(String userId, AbsenceState state, Instant now) {
    Outcome<AbsenceState> due = fireIfDue(userId, state, now);
    AbsenceState current = expire(due == null ? state : due.state(), now);
    int expired = state.inProgress().size() - current.inProgress().size();
    Outcome<AbsenceState> expiry = expired == 0 ? Outcome.quiet(current.orNull(), "nothing else due")
        : Outcome.quiet(current.orNull(), () -> expired + " session(s) no longer in progress");
    return expiry.after(due);
  }

  /** The notification sent and cleared, when it is due at {@code now}; null when it is not. */
  private Outcome<AbsenceState> fireIfDue(String userId, AbsenceState state, Instant now) {
    if (!state.isDueAt(now)) {
      return null;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("minutes", settings.within().toMinutes());
    data.put(settings.triggeredAtField(), triggeredAt(state).toString());
    List<String> fields = settings.fields();
    for (int i = 0; i < fields.size(); i++) {
      String value = state.field(i, fields.size());
      if (value != null) {
        data.put(fields.get(i), value);
      }
    }
    Notification sent = Notification.of(settings.notification(), userId, state.deviceId(),
        settings.message().render(data), data, state.triggerEventId());
    return Outcome.sending(state.withoutPending(), sent, () -> settings.notification() + " " + sent.id()
        + " sent for " + state.triggerEventId() + " (due at " + state.dueAt() + ")");
  }

  /** The trigger's values of the rule's fields, kept as compactly as {@link AbsenceState#data} says. */
  private Object triggerData(Event event) {
    return FieldValues.of(event, settings.fields());
  }

  /** When the pending notification's trigger happened. */
  private Instant triggeredAt(AbsenceState state) {
    return state.dueAt().minus(settings.within());
  }

  @Override
  public Instant nextDue(AbsenceState state) {
    return state.nextDue(settings.sessionExpiry());
  }
}
