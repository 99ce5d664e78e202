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
 * The {@code duration} shape: the time from a start event to an end event of the same session, less the pauses
 * (a pause event to a resume event), is sent in whole minutes when it is strictly more than the configured minimum.
 * An end matches the open session with the same value of the {@code session} data field, from any device; a new
 * start of an open session replaces it (an abandoned run does not turn into a day-long one); an abort drops it; a
 * session with no start, pause or resume for {@code sessionExpiry} is forgotten. A pause while paused, or a resume
 * while not paused, changes nothing; an end during a pause counts until the pause began.
 */
public record DurationRules(Settings settings) implements UserRules<DurationState> {
  /** Sessions one user can have open at once in one rule; beyond it the least recently active is dropped. */
  public static final int MAX_OPEN_SESSIONS = 8;

  static final int START = 1;
  static final int END = 2;
  static final int PAUSE = 4;
  static final int RESUME = 8;
  static final int ABORT = 16;

  /**
   * @param notification    the notification's kind on the wire
   * @param roles           the rule's types: {@link #START}, {@link #END}, {@link #PAUSE}, {@link #RESUME},
   *                        {@link #ABORT}
   * @param sessionField    the data field that ties a session's events together; null: one session per user
   * @param fields          the other data fields the start and end declare, kept from the start and sent with
   *                        the notification (the end's value wins)
   * @param min             a session must last strictly longer than this to be sent
   * @param sessionExpiry   a session with no start, pause or resume for this long is forgotten
   * @param message         the text, with {minutes}, the session field and the fields as placeholders
   * @param fallbackMessage the text when a field the message uses has no value; null when it uses none that may lack
   */
  public record Settings(String notification, TypeRoles roles, String sessionField, List<String> fields,
      Duration min, Duration sessionExpiry, MessageTemplate message, MessageTemplate fallbackMessage) {

    public Settings {
      fields = List.copyOf(fields);
    }
  }

  @Override
  public Outcome<DurationState> apply(DurationState state, Event event) {
    Instant at = event.occurredAt();
    int role = settings.roles().of(event.type());
    DurationState current = DurationState.of(state).expire(at, settings.sessionExpiry());
    String key = key(event);
    DurationSession session = current.find(key);
    return switch (role) {
      case START -> Outcome.quiet(
          current.with(DurationSession.started(key, startData(event), event.id(), at), MAX_OPEN_SESSIONS),
          () -> session == null ? describe(key) + " started"
              : describe(key) + " started again: the unfinished earlier start is dropped");
      case PAUSE -> session == null || session.isPaused()
          ? Outcome.quiet(current.orNull(), () -> describe(key) + ": pause ignored, not running")
          : Outcome.quiet(current.with(session.pause(at), MAX_OPEN_SESSIONS), () -> describe(key) + " paused");
      case RESUME -> session == null || !session.isPaused()
          ? Outcome.quiet(current.orNull(), () -> describe(key) + ": resume ignored, not paused")
          : Outcome.quiet(current.with(session.resume(at), MAX_OPEN_SESSIONS), () -> describe(key) + " resumed");
      case ABORT -> session == null
          ? Outcome.quiet(current.orNull(), () -> describe(key) + ": abort ignored, not started")
          : Outcome.quiet(current.without(key).orNull(), () -> describe(key) + " aborted");
      case END -> end(current, session, key, event);
      default -> Outcome.quiet(state, () -> "type " + event.type() + " ignored");
    };
  }

  private Outcome<DurationState> end(DurationState current, DurationSession session, String key, Event event) {
    if (session == null) {
      return Outcome.notable(current.orNull(), () -> describe(key) + " ended without a matching start: nothing to send");
    }
    DurationState rest = current.without(key).orNull();
    Duration lasted = session.lastedUntil(event.occurredAt());
    if (lasted.compareTo(settings.min()) <= 0) {
      return Outcome.quiet(rest, () -> describe(key) + " ended after " + lasted + ": not more than " + settings.min());
    }
    long minutes = lasted.toMinutes();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("minutes", minutes);
    if (settings.sessionField() != null) {
      values.put(settings.sessionField(), key);
    }
    List<String> fields = settings.fields();
    for (int i = 0; i < fields.size(); i++) {
      String value = event.dataString(fields.get(i));
      value = value != null ? value : session.field(i, fields.size());
      if (value != null) {
        values.put(fields.get(i), value);
      }
    }
    MessageTemplate template = settings.fallbackMessage() != null && !values.keySet().containsAll(
        settings.message().placeholders()) ? settings.fallbackMessage() : settings.message();
    Notification notification = Notification.of(
        settings.notification(), event.userId(), event.deviceId(), template.render(values), values, event.id());
    return Outcome.sending(rest, notification, () -> describe(key) + " ended after " + lasted + ": "
        + notification.kind() + " " + notification.id() + " (" + minutes + " minutes)");
  }

  /** The session an event belongs to: its session field's value, or the user's one session. */
  private String key(Event event) {
    String key = settings.sessionField() == null ? null : event.dataString(settings.sessionField());
    return key == null ? "" : key;
  }

  /** The start's values of the rule's fields, kept as compactly as {@link DurationSession#data} says. */
  private Object startData(Event event) {
    return FieldValues.of(event, settings.fields());
  }

  private String describe(String key) {
    return settings.sessionField() == null ? "session" : settings.sessionField() + " " + key;
  }

  @Override
  public Outcome<DurationState> tick(String userId, DurationState state, Instant now) {
    DurationState rest = state.expire(now, settings.sessionExpiry());
    int expired = state.sessions().size() - rest.sessions().size();
    return expired == 0 ? Outcome.quiet(state, "nothing due")
        : Outcome.notable(rest.orNull(), () -> expired + " unfinished session(s) expired");
  }

  @Override
  public Instant nextDue(DurationState state) {
    return state.firstExpiry(settings.sessionExpiry());
  }
}
