package io.eventsprocessor.event;

import java.util.List;

/** The names of the event types the app sends today; handlers declare which of them they consume. */
public final class EventTypes {
  public static final String APP_LAUNCH = "app_launch";
  public static final String TRAINING_PROGRAM_STARTED = "training_program_started";
  public static final String TRAINING_PROGRAM_PAUSED = "training_program_paused";
  public static final String TRAINING_PROGRAM_RESUMED = "training_program_resumed";
  public static final String TRAINING_PROGRAM_FINISHED = "training_program_finished";
  public static final String TRAINING_PROGRAM_CANCELLED = "training_program_cancelled";

  /** The data field every training type carries. */
  public static final String PROGRAM_ID = "programId";
  /** Optional on training types: the program's human-readable title. */
  public static final String PROGRAM_TITLE = "programTitle";

  /** The training program types: each names its program in {@code data.programId}. */
  public static final List<EventSchema> TRAINING_PROGRAM_SCHEMAS = List.of(
      EventSchema.of(TRAINING_PROGRAM_STARTED, PROGRAM_ID),
      EventSchema.of(TRAINING_PROGRAM_PAUSED, PROGRAM_ID),
      EventSchema.of(TRAINING_PROGRAM_RESUMED, PROGRAM_ID),
      EventSchema.of(TRAINING_PROGRAM_FINISHED, PROGRAM_ID),
      EventSchema.of(TRAINING_PROGRAM_CANCELLED, PROGRAM_ID));

  private EventTypes() {}
}
