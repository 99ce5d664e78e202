package io.eventsprocessor.shapes;

import io.eventsprocessor.rules.StateCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Saves a user's open sessions as JSON, instants as ISO-8601 text. */
public record DurationStateCodec() implements StateCodec<DurationState> {

  @Override
  public JsonObject encode(DurationState state) {
    JsonArray sessions = new JsonArray();
    for (DurationSession s : state.sessions()) {
      sessions.add(new JsonObject()
          .put("key", s.key())
          .put("data", s.data() instanceof List<?> list ? new JsonArray(new ArrayList<>(list)) : s.data())
          .put("startEventId", s.startEventId())
          .put("startedAt", s.startedAt().toString())
          .put("pausedAt", s.pausedAt() == null ? null : s.pausedAt().toString())
          .put("pausedFor", s.pausedFor().toString())
          .put("lastActivityAt", s.lastActivityAt().toString()));
    }
    return new JsonObject().put("sessions", sessions);
  }

  @Override
  public DurationState decode(JsonObject json) {
    List<DurationSession> sessions = new ArrayList<>();
    for (Object item : json.getJsonArray("sessions")) {
      JsonObject s = (JsonObject) item;
      Object data = s.getValue("data");
      sessions.add(new DurationSession(
          s.getString("key"),
          data instanceof JsonArray array ? Arrays.asList(array.getList().toArray(String[]::new)) : data,
          s.getString("startEventId"),
          Instant.parse(s.getString("startedAt")),
          s.getString("pausedAt") == null ? null : Instant.parse(s.getString("pausedAt")),
          Duration.parse(s.getString("pausedFor")),
          Instant.parse(s.getString("lastActivityAt"))));
    }
    return new DurationState(sessions);
  }
}
