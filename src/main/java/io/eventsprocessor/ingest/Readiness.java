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

  /** What a part that is down does to the service. */
  public enum Effect {
    /** Every request is refused (503, before its body is read), and the service is not ready. */
    REFUSES_REQUESTS,
    /**
     * The service is not ready (a load balancer should send traffic elsewhere), yet requests are still taken: the
     * cap on users (the users it has go on), a stop under way.
     */
    NOT_READY,
    /**
     * Shown in the health answer only: the service stays ready. For what holds on every node at once (the cluster
     * copying backups after a member joined or left): not ready everywhere would be an outage.
     */
    REPORTED
  }

  /**
   * One part's verdict.
   *
   * @param name   its name in the health answer's {@code checks}
   * @param down   why the part cannot take events now (or what it reports), or null when all is well; read from any
   *               thread
   * @param effect what the part being down does to the service
   */
  public record Check(String name, Supplier<String> down, Effect effect) {}

  private final List<Check> checks;
  private volatile boolean stopping;

  public Readiness(List<Check> checks) {
    List<Check> all = new ArrayList<>(checks);
    // While the edge drains it takes no new connection; a probe that still gets through learns why.
    all.add(new Check("shutdown", () -> stopping ? "The service is stopping" : null, Effect.NOT_READY));
    this.checks = List.copyOf(all);
  }

  /** The edges are stopping: requests in flight finish, no new connection is taken. */
  void stopping() {
    stopping = true;
  }

  /** Why every request is refused now (the first part down that refuses requests), or null when they are taken. */
  public String refusal() {
    for (Check check : checks) {
      if (check.effect() == Effect.REFUSES_REQUESTS) {
        String down = check.down().get();
        if (down != null) {
          return down;
        }
      }
    }
    return null;
  }

  /**
   * The health answer: {@code status} UP when every part that decides it is up (all but the {@link Effect#REPORTED}
   * ones), each part under {@code checks}, and, when down, the first such part's {@code reason} at the top as well
   * (what {@code /health} answered before it had checks).
   */
  public JsonObject health() {
    JsonObject parts = new JsonObject();
    String reason = null;
    for (Check check : checks) {
      String down = check.down().get();
      JsonObject part = new JsonObject().put("status", down == null ? "UP" : "DOWN");
      if (down != null) {
        part.put("reason", down);
        if (check.effect() != Effect.REPORTED && reason == null) {
          reason = down;
        }
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
