package io.eventsprocessor.program;

import io.eventsprocessor.event.DataField;
import io.eventsprocessor.event.EventSchema;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The app's own events, as the service knows them without configuration: its launch, and the five types a training
 * program's run is made of with the fields they carry. The rules in the config name these types (the shipped
 * congratulation times programs, the shipped reminder follows launches); a rule that uses one declares its schema.
 */
public final class ProgramEvents {
  /** The user opened the app; it carries no data. */
  public static final String APP_LAUNCH = "app_launch";
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

  /** Every type known without configuration, by name: the launch and the program types. */
  public static final Map<String, EventSchema> KNOWN = Stream.concat(Stream.of(EventSchema.of(APP_LAUNCH)),
      SCHEMAS.stream()).collect(Collectors.toUnmodifiableMap(EventSchema::type, s -> s));

  private ProgramEvents() {}
}
