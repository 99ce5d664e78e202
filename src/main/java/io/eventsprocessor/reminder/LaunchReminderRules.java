package io.eventsprocessor.reminder;

import static io.eventsprocessor.event.EventTypes.APP_LAUNCH;
import static io.eventsprocessor.event.EventTypes.PROGRAM_ID;
import static io.eventsprocessor.event.EventTypes.TRAINING_PROGRAM_CANCELLED;
import static io.eventsprocessor.event.EventTypes.TRAINING_PROGRAM_FINISHED;
import static io.eventsprocessor.event.EventTypes.TRAINING_PROGRAM_PAUSED;
import static io.eventsprocessor.event.EventTypes.TRAINING_PROGRAM_RESUMED;
import static io.eventsprocessor.event.EventTypes.TRAINING_PROGRAM_STARTED;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.event.EventTypes;
import io.eventsprocessor.handler.Outcome;
import io.eventsprocessor.handler.UserRules;
import io.eventsprocessor.notify.MessageTemplate;
import io.eventsprocessor.notify.Notification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The launch reminder: a user who opens the app and does not start a program within the configured delay
 * is encouraged to start now. One reminder at most is pending per user; a second launch keeps the first
 * one's due time; a launch while a program is in progress arms nothing; a start stamped before the due time
 * cancels it. A reminder falls due when the user's clock reaches the due time: by itself (a tick), or when a
 * later event shows that the time has passed, in which case it is sent before that event is applied.
 */
public final class LaunchReminderRules implements UserRules<ReminderState> {
  /** Programs in progress remembered per user; beyond it the least recently active is forgotten. */
  public static final int MAX_IN_PROGRESS = 8;
  public static final Set<String> PLACEHOLDERS = Set.of("minutes");

  /**
   * @param delay         how long after a launch, with no start, the reminder is sent
   * @param sessionExpiry a program with no activity for this long no longer counts as in progress
   * @param message       the text, with {minutes} (the delay in whole minutes)
   */
  public record Settings(Duration delay, Duration sessionExpiry, MessageTemplate message) {}

  private final Settings settings;

  public LaunchReminderRules(Settings settings) {
    this.settings = settings;
  }

  @Override
  public List<EventSchema> schemas() {
    // The training types too: a program in progress means a launch arms nothing.
    return Stream.concat(Stream.of(EventSchema.of(APP_LAUNCH)), EventTypes.TRAINING_PROGRAM_SCHEMAS.stream()).toList();
  }

  @Override
  public Outcome<ReminderState> apply(ReminderState state, Event event) {
    Instant at = event.occurredAt();
    Outcome<ReminderState> due = fireIfDue(event.userId(), ReminderState.of(state), at);
    ReminderState current = ReminderState.of(due == null ? state : due.state()).expire(at, settings.sessionExpiry());
    String programId = event.dataString(PROGRAM_ID);
    Outcome<ReminderState> applied = switch (event.type()) {
      case APP_LAUNCH -> launch(current, event);
      case TRAINING_PROGRAM_STARTED -> current.isPending()
          ? Outcome.notable(current.withoutReminder().active(programId, at, MAX_IN_PROGRESS),
              "reminder for launch " + current.launchEventId() + " cancelled: program " + programId + " started")
          : Outcome.quiet(current.active(programId, at, MAX_IN_PROGRESS), "program " + programId + " in progress");
      case TRAINING_PROGRAM_PAUSED, TRAINING_PROGRAM_RESUMED -> current.isInProgress(programId)
          ? Outcome.quiet(current.active(programId, at, MAX_IN_PROGRESS), "program " + programId + " still in progress")
          : Outcome.quiet(current.orNull(), "program " + programId + " not in progress");
      case TRAINING_PROGRAM_FINISHED, TRAINING_PROGRAM_CANCELLED ->
          Outcome.quiet(current.without(programId).orNull(), "program " + programId + " ended");
      default -> Outcome.quiet(current.orNull(), "type " + event.type() + " ignored");
    };
    return applied.after(due);
  }

  private Outcome<ReminderState> launch(ReminderState current, Event event) {
    if (current.isPending()) {
      return Outcome.quiet(current, "launch while the reminder for launch " + current.launchEventId()
          + " is pending: it stays due at " + current.dueAt());
    }
    if (!current.inProgress().isEmpty()) {
      return Outcome.quiet(current, "launch while program " + current.inProgress().get(0).programId()
          + " is in progress: no reminder");
    }
    Instant due = event.occurredAt().plus(settings.delay());
    return Outcome.notable(current.armed(due, event.id(), event.deviceId()), "reminder armed, due at " + due);
  }

  @Override
  public Outcome<ReminderState> tick(String userId, ReminderState state, Instant now) {
    Outcome<ReminderState> due = fireIfDue(userId, state, now);
    ReminderState current = (due == null ? state : due.state()).expire(now, settings.sessionExpiry());
    int expired = state.inProgress().size() - current.inProgress().size();
    Outcome<ReminderState> expiry = expired == 0 ? Outcome.quiet(current.orNull(), "nothing else due")
        : Outcome.quiet(current.orNull(), expired + " program(s) no longer in progress");
    return expiry.after(due);
  }

  /** The reminder sent and cleared, when it is due at {@code now}; null when it is not. */
  private Outcome<ReminderState> fireIfDue(String userId, ReminderState state, Instant now) {
    if (!state.isPending() || now.isBefore(state.dueAt())) {
      return null;
    }
    long minutes = settings.delay().toMinutes();
    Map<String, Object> data = Map.of("minutes", minutes, "launchedAt", state.dueAt().minus(settings.delay()).toString());
    Notification reminder = Notification.of(Notification.TRAINING_REMINDER, userId, state.deviceId(),
        settings.message().render(data), data, state.launchEventId());
    return Outcome.sending(state.withoutReminder(), reminder, "reminder " + reminder.id() + " sent for launch "
        + state.launchEventId() + " (due at " + state.dueAt() + ")");
  }

  @Override
  public Instant nextDue(ReminderState state) {
    return state.nextDue(settings.sessionExpiry());
  }
}
