package io.eventsprocessor.reminder;

import io.eventsprocessor.rules.StateCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Saves a user's pending reminder and programs in progress as JSON, instants as ISO-8601 text. */
public final class ReminderStateCodec implements StateCodec<ReminderState> {

  @Override
  public JsonObject encode(ReminderState state) {
    JsonArray inProgress = new JsonArray();
    state.inProgress().forEach(p -> inProgress.add(
        new JsonObject().put("programId", p.programId()).put("lastActivityAt", p.lastActivityAt().toString())));
    return new JsonObject()
        .put("dueAt", state.dueAt() == null ? null : state.dueAt().toString())
        .put("launchEventId", state.launchEventId())
        .put("deviceId", state.deviceId())
        .put("inProgress", inProgress);
  }

  @Override
  public ReminderState decode(JsonObject json) {
    List<ReminderState.OpenProgram> inProgress = new ArrayList<>();
    for (Object item : json.getJsonArray("inProgress")) {
      JsonObject p = (JsonObject) item;
      inProgress.add(new ReminderState.OpenProgram(p.getString("programId"), Instant.parse(p.getString("lastActivityAt"))));
    }
    String dueAt = json.getString("dueAt");
    return new ReminderState(dueAt == null ? null : Instant.parse(dueAt), json.getString("launchEventId"),
        json.getString("deviceId"), inProgress);
  }
}
