package io.eventsprocessor.congratulation;

import static io.eventsprocessor.program.ProgramEvents.CANCELLED;
import static io.eventsprocessor.program.ProgramEvents.FINISHED;
import static io.eventsprocessor.program.ProgramEvents.PAUSED;
import static io.eventsprocessor.program.ProgramEvents.PROGRAM_ID;
import static io.eventsprocessor.program.ProgramEvents.PROGRAM_TITLE;
import static io.eventsprocessor.program.ProgramEvents.RESUMED;
import static io.eventsprocessor.program.ProgramEvents.STARTED;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.MessageTemplate;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.Outcome;
import io.eventsprocessor.rules.UserRules;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The congratulation rule: a user who finishes a program after training more than the configured minimum
 * is congratulated with the exact whole minutes trained. Training time runs from the matching start to the
 * finish, less the pauses; a finish matches the latest unfinished start of the same program, from any device.
 */
public record CongratulationRules(Settings settings) implements UserRules<TrainingState> {
  /** Programs one user can have open at once; beyond it the least recently active is dropped. */
  public static final int MAX_OPEN_SESSIONS = 8;

  /**
   * @param minDuration         training must last strictly longer than this to be congratulated
   * @param sessionExpiry       a session with no start, pause or resume for this long is forgotten
   * @param message             the text, with {minutes} and {programTitle}
   * @param messageWithoutTitle the text when no event named the program's title, with {minutes}
   */
  public record Settings(Duration minDuration, Duration sessionExpiry, MessageTemplate message, MessageTemplate messageWithoutTitle) {}

  @Override
  public Outcome<TrainingState> apply(TrainingState state, Event event) {
    Instant at = event.occurredAt();
    TrainingState current = TrainingState.of(state).expire(at, settings.sessionExpiry());
    String programId = event.dataString(PROGRAM_ID);
    TrainingSession session = current.find(programId);
    String program = "program " + programId;
    return switch (event.type()) {
      case STARTED -> Outcome.quiet(
          current.with(TrainingSession.started(programId, event.dataString(PROGRAM_TITLE), event.id(), at), MAX_OPEN_SESSIONS),
          () -> session == null ? program + " started" : program + " started again: the unfinished earlier start is dropped");
      case PAUSED -> session == null || session.isPaused()
          ? Outcome.quiet(current.orNull(), () -> program + ": pause ignored, not training")
          : Outcome.quiet(current.with(session.pause(at), MAX_OPEN_SESSIONS), () -> program + " paused");
      case RESUMED -> session == null || !session.isPaused()
          ? Outcome.quiet(current.orNull(), () -> program + ": resume ignored, not paused")
          : Outcome.quiet(current.with(session.resume(at), MAX_OPEN_SESSIONS), () -> program + " resumed");
      case CANCELLED -> session == null
          ? Outcome.quiet(current.orNull(), () -> program + ": cancel ignored, not started")
          : Outcome.quiet(current.without(programId).orNull(), () -> program + " cancelled");
      case FINISHED -> finish(current, session, event);
      default -> Outcome.quiet(state, () -> "type " + event.type() + " ignored");
    };
  }

  private Outcome<TrainingState> finish(TrainingState current, TrainingSession session, Event event) {
    String programId = event.dataString(PROGRAM_ID);
    if (session == null) {
      return Outcome.notable(current.orNull(), () -> "program " + programId + " finished without a matching start: nothing to send");
    }
    TrainingState rest = current.without(programId).orNull();
    Duration trained = session.trainedUntil(event.occurredAt());
    if (trained.compareTo(settings.minDuration()) <= 0) {
      return Outcome.quiet(rest, () -> "program " + programId + " finished after " + trained + ": not more than " + settings.minDuration());
    }
    long minutes = trained.toMinutes();
    String title = event.dataString(PROGRAM_TITLE) != null ? event.dataString(PROGRAM_TITLE) : session.programTitle();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("minutes", minutes);
    values.put("programId", programId);
    if (title != null) {
      values.put("programTitle", title);
    }
    String message = (title == null ? settings.messageWithoutTitle() : settings.message()).render(values);
    Notification notification = Notification.of(
        CongratulationFamily.KIND, event.userId(), event.deviceId(), message, values, event.id());
    return Outcome.sending(rest, notification,
        () -> "program " + programId + " finished after " + trained + ": congratulation " + notification.id() + " (" + minutes + " minutes)");
  }

  @Override
  public Outcome<TrainingState> tick(String userId, TrainingState state, Instant now) {
    TrainingState rest = state.expire(now, settings.sessionExpiry());
    int expired = state.sessions().size() - rest.sessions().size();
    return expired == 0 ? Outcome.quiet(state, "nothing due")
        : Outcome.notable(rest.orNull(), () -> expired + " unfinished session(s) expired");
  }

  @Override
  public Instant nextDue(TrainingState state) {
    return state.firstExpiry(settings.sessionExpiry());
  }
}
