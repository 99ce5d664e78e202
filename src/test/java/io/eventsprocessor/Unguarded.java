package io.eventsprocessor;

import io.vertx.core.json.JsonObject;

/**
 * The shipped rules without caps, quiet hours or "trained today": what the rules decide goes out as decided. Tests
 * of the rules themselves run so, on any clock and at any hour; those of what reaches the user turn the guard on.
 */
public final class Unguarded {
  private Unguarded() {}

  public static JsonObject rules() {
    return new JsonObject()
        .put("defaults", new JsonObject().put("quietHours", false).put("maxPerDay", false))
        .put("reminder", new JsonObject().put("cap", false).put("skipIfTrainedToday", false))
        .put("congratulation", new JsonObject().put("cap", false));
  }
}
