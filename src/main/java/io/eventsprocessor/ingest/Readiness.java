package io.eventsprocessor.ingest;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Whether the service can take events now, part by part: the one source of both {@code GET /health/ready} (and
 * {@code /health}) and the 503 the {@link Gate} answers before reading a request's body, so that the two cannot
 * disagree. One instance serves every HTTP edge of the process.
 */
public final class Readiness {

  /**
   * One part's verdict.
   *
   * @param name            its name in the health answer's {@code checks}
   * @param down            why the part cannot take events now, or null when it can; read from any thread
   * @param refusesRequests whether every request is refused (503, before its body is read) while the part is down.
   *                        The cap on users refuses only the events of new users: the service is not ready then (a
   *                        load balancer had better send traffic elsewhere), yet it goes on taking the events of the
   *                        users it has.
   */
  public record Check(String name, Supplier<String> down, boolean refusesRequests) {}

  private final List<Check> checks;
  private volatile boolean stopping;

  public Readiness(List<Check> checks) {
    List<Check> all = new ArrayList<>(checks);
    // While the edge drains it takes no new connection; a probe that still gets through learns why.
    all.add(new Check("shutdown", () -> stopping ? "The service is stopping" : null, false));
    this.checks = List.copyOf(all);
  }

  /** The edges are stopping: requests in flight finish, no new connection is taken. */
  void stopping() {
    stopping = true;
  }

  /** Why every request is refused now (the first part down that refuses requests), or null when they are taken. */
  public String refusal() {
    for (Check check : checks) {
      if (check.refusesRequests()) {
        String down = check.down().get();
        if (down != null) {
          return down;
        }
      }
    }
    return null;
  }

  /**
   * The health answer: {@code status} UP when every part is, each part under {@code checks}, and, when down, the
   * first part's {@code reason} at the top as well (what {@code /health} answered before it had checks).
   */
  public JsonObject health() {
    JsonObject parts = new JsonObject();
    String reason = null;
    for (Check check : checks) {
      String down = check.down().get();
      JsonObject part = new JsonObject().put("status", down == null ? "UP" : "DOWN");
      if (down != null) {
        part.put("reason", down);
        reason = reason == null ? down : reason;
      }
      parts.put(check.name(), part);
    }
    JsonObject health = new JsonObject().put("status", reason == null ? "UP" : "DOWN");
    if (reason != null) {
      health.put("reason", reason);
    }
    return health.put("checks", parts);
  }
}
