package io.eventsprocessor.reminder;

import static io.eventsprocessor.program.ProgramEvents.CANCELLED;
import static io.eventsprocessor.program.ProgramEvents.FINISHED;
import static io.eventsprocessor.program.ProgramEvents.PAUSED;
import static io.eventsprocessor.program.ProgramEvents.PROGRAM_ID;
import static io.eventsprocessor.program.ProgramEvents.RESUMED;
import static io.eventsprocessor.program.ProgramEvents.STARTED;
import static io.eventsprocessor.reminder.ReminderFamily.APP_LAUNCH;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.MessageTemplate;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.Outcome;
import io.eventsprocessor.rules.UserRules;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The launch reminder: a user who opens the app and does not start a program within the configured delay
 * is encouraged to start now. One reminder at most is pending per user; a second launch keeps the first
 * one's due time; a launch while a program is in progress arms nothing; a start stamped inside the window, at
 * or after the launch and before the due time, cancels it (a start stamped before the launch, arriving late, shows
 * nothing about what the user did after opening the app). A reminder falls due when the user's clock reaches the due time: by itself (a tick), or when a
 * later event shows that the time has passed, in which case it is sent before that event is applied.
 */
public record ReminderRules(Settings settings) implements UserRules<ReminderState> {
  /** Programs in progress remembered per user; beyond it the least recently active is forgotten. */
  public static final int MAX_IN_PROGRESS = 8;

  /**
   * @param delay         how long after a launch, with no start, the reminder is sent
   * @param sessionExpiry a program with no activity for this long no longer counts as in progress
   * @param message       the text, with {minutes} (the delay in whole minutes)
   */
  public record Settings(Duration delay, Duration sessionExpiry, MessageTemplate message) {}

  @Override
  public Outcome<ReminderState> apply(ReminderState state, Event event) {
    Instant at = event.occurredAt();
    Outcome<ReminderState> due = fireIfDue(event.userId(), ReminderState.of(state), at);
    ReminderState current = ReminderState.of(due == null ? state : due.state()).expire(at, settings.sessionExpiry());
    String programId = event.dataString(PROGRAM_ID);
    Outcome<ReminderState> applied = switch (event.type()) {
      case APP_LAUNCH -> launch(current, event);
      case STARTED -> current.isPending() && !at.isBefore(launchedAt(current))
          ? Outcome.notable(current.withoutReminder().active(programId, at, MAX_IN_PROGRESS),
              () -> "reminder for launch " + current.launchEventId() + " cancelled: program " + programId + " started")
          : Outcome.quiet(current.active(programId, at, MAX_IN_PROGRESS), () -> current.isPending()
              ? "program " + programId + " in progress, started before launch " + current.launchEventId()
                  + ": its reminder stays due at " + current.dueAt()
              : "program " + programId + " in progress");
      case PAUSED, RESUMED -> current.isInProgress(programId)
          ? Outcome.quiet(current.active(programId, at, MAX_IN_PROGRESS), () -> "program " + programId + " still in progress")
          : Outcome.quiet(current.orNull(), () -> "program " + programId + " not in progress");
      case FINISHED, CANCELLED ->
          Outcome.quiet(current.without(programId).orNull(), () -> "program " + programId + " ended");
      default -> Outcome.quiet(current.orNull(), () -> "type " + event.type() + " ignored");
    };
    return applied.after(due);
  }

  private Outcome<ReminderState> launch(ReminderState current, Event event) {
    if (current.isPending()) {
      return Outcome.quiet(current, () -> "launch while the reminder for launch " + current.launchEventId()
          + " is pending: it stays due at " + current.dueAt());
    }
    if (!current.inProgress().isEmpty()) {
      return Outcome.quiet(current, () -> "launch while program " + current.inProgress().get(0).programId()
          + " is in progress: no reminder");
    }
    Instant due = event.occurredAt().plus(settings.delay());
    return Outcome.notable(current.armed(due, event.id(), event.deviceId()), () -> "reminder armed, due at " + due);
  }

  @Override
  public Outcome<ReminderState> tick(String userId, ReminderState state, Instant now) {
    Outcome<ReminderState> due = fireIfDue(userId, state, now);
    ReminderState current = (due == null ? state : due.state()).expire(now, settings.sessionExpiry());
    int expired = state.inProgress().size() - current.inProgress().size();
    Outcome<ReminderState> expiry = expired == 0 ? Outcome.quiet(current.orNull(), "nothing else due")
        : Outcome.quiet(current.orNull(), () -> expired + " program(s) no longer in progress");
    return expiry.after(due);
  }

  /** The reminder sent and cleared, when it is due at {@code now}; null when it is not. */
  private Outcome<ReminderState> fireIfDue(String userId, ReminderState state, Instant now) {
    if (!state.isDueAt(now)) {
      return null;
    }
    long minutes = settings.delay().toMinutes();
    Map<String, Object> data = Map.of("minutes", minutes, "launchedAt", launchedAt(state).toString());
    Notification reminder = Notification.of(ReminderFamily.KIND, userId, state.deviceId(),
        settings.message().render(data), data, state.launchEventId());
    return Outcome.sending(state.withoutReminder(), reminder, () -> "reminder " + reminder.id() + " sent for launch "
        + state.launchEventId() + " (due at " + state.dueAt() + ")");
  }

  /** When the pending reminder's launch happened. */
  private Instant launchedAt(ReminderState state) {
    return state.dueAt().minus(settings.delay());
  }

  @Override
  public Instant nextDue(ReminderState state) {
    return state.nextDue(settings.sessionExpiry());
  }
}
