package io.eventsprocessor.program;

import io.eventsprocessor.event.DataField;
import io.eventsprocessor.event.EventSchema;
import java.util.List;

/**
 * The app's training programs as events: the five types a program's run is made of and the fields they carry.
 * Shared vocabulary of the families that follow programs (the congratulation counts training time, the reminder
 * knows a program is in progress); each family declares these schemas among its own.
 */
public final class ProgramEvents {
  public static final String STARTED = "training_program_started";
  public static final String PAUSED = "training_program_paused";
  public static final String RESUMED = "training_program_resumed";
  public static final String FINISHED = "training_program_finished";
  public static final String CANCELLED = "training_program_cancelled";

  /** Which program: required on every program event. */
  public static final String PROGRAM_ID = "programId";
  /** The program's human-readable title, when the app sends it. */
  public static final String PROGRAM_TITLE = "programTitle";

  private static final DataField ID = DataField.required(PROGRAM_ID, 128).legacy("training_program_id");
  private static final DataField TITLE = DataField.optional(PROGRAM_TITLE, 256).legacy("training_program_title");

  /** The five program types, each naming its program in {@code data.programId}. */
  public static final List<EventSchema> SCHEMAS = List.of(STARTED, PAUSED, RESUMED, FINISHED, CANCELLED).stream()
      .map(type -> EventSchema.of(type, ID, TITLE))
      .toList();

  private ProgramEvents() {}
}
