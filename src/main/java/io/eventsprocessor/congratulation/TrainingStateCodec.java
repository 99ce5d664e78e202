package io.eventsprocessor.congratulation;

import io.eventsprocessor.rules.StateCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Saves a user's open sessions as JSON, instants as ISO-8601 text. */
public final class TrainingStateCodec implements StateCodec<TrainingState> {

  @Override
  public JsonObject encode(TrainingState state) {
    JsonArray sessions = new JsonArray();
    for (TrainingSession s : state.sessions()) {
      sessions.add(new JsonObject()
          .put("programId", s.programId())
          .put("programTitle", s.programTitle())
          .put("startEventId", s.startEventId())
          .put("startedAt", s.startedAt().toString())
          .put("pausedAt", s.pausedAt() == null ? null : s.pausedAt().toString())
          .put("pausedFor", s.pausedFor().toString())
          .put("lastActivityAt", s.lastActivityAt().toString()));
    }
    return new JsonObject().put("sessions", sessions);
  }

  @Override
  public TrainingState decode(JsonObject json) {
    List<TrainingSession> sessions = new ArrayList<>();
    for (Object item : json.getJsonArray("sessions")) {
      JsonObject s = (JsonObject) item;
      sessions.add(new TrainingSession(
          s.getString("programId"),
          s.getString("programTitle"),
          s.getString("startEventId"),
          Instant.parse(s.getString("startedAt")),
          s.getString("pausedAt") == null ? null : Instant.parse(s.getString("pausedAt")),
          Duration.parse(s.getString("pausedFor")),
          Instant.parse(s.getString("lastActivityAt"))));
    }
    return new TrainingState(sessions);
  }
}
