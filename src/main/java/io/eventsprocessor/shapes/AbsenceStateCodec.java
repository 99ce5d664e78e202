package io.eventsprocessor.shapes;

import io.eventsprocessor.rules.StateCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Saves a user's pending notification and sessions in progress as JSON, instants as ISO-8601 text. */
public record AbsenceStateCodec() implements StateCodec<AbsenceState> {

  @Override
  public JsonObject encode(AbsenceState state) {
    JsonArray inProgress = new JsonArray();
    state.inProgress().forEach(s -> inProgress.add(
        new JsonObject().put("key", s.key()).put("lastActivityAt", s.lastActivityAt().toString())));
    return new JsonObject()
        .put("dueAt", state.dueAt() == null ? null : state.dueAt().toString())
        .put("triggerEventId", state.triggerEventId())
        .put("deviceId", state.deviceId())
        .put("data", state.data() instanceof List<?> list ? new JsonArray(new ArrayList<>(list)) : state.data())
        .put("inProgress", inProgress);
  }

  @Override
  public AbsenceState decode(JsonObject json) {
    List<AbsenceState.OpenSession> inProgress = new ArrayList<>();
    for (Object item : json.getJsonArray("inProgress")) {
      JsonObject s = (JsonObject) item;
      inProgress.add(new AbsenceState.OpenSession(s.getString("key"), Instant.parse(s.getString("lastActivityAt"))));
    }
    String dueAt = json.getString("dueAt");
    Object data = json.getValue("data");
    return new AbsenceState(dueAt == null ? null : Instant.parse(dueAt), json.getString("triggerEventId"),
        json.getString("deviceId"),
        data instanceof JsonArray array ? Arrays.asList(array.getList().toArray(String[]::new)) : data, inProgress);
  }
}
