package io.eventsprocessor.rules;

import io.vertx.core.json.JsonObject;

/** How a rule family's per-user state is saved across restarts. */
public interface StateCodec<S> {

  JsonObject encode(S state);

  S decode(JsonObject json);
}
