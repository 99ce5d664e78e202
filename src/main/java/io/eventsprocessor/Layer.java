package io.eventsprocessor;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.function.Supplier;

/**
 * Starts verticles in order and stops them in the reverse order. Vert.x undeploys a deployment's children
 * (all at once) before stopping the deployment itself; so each layer runs its own verticle in its own
 * deployment and deploys the rest as its one child. The last layer's verticle may run as several instances.
 *
 * <p>The service starts delivery first and the HTTP edge last, and on a stop (SIGTERM, undeploy) the edge
 * stops accepting first, then the handlers save their state once no event can arrive, then the outbox lets
 * its attempts finish and saves what is left.
 */
final class Layer extends VerticleBase {
  private final VerticleBase own;
  private final List<VerticleBase> rest;
  private final Supplier<VerticleBase> last;
  private final int lastInstances;

  /** @param layers run in this order; then {@code last} as {@code lastInstances} instances */
  static Layer of(List<VerticleBase> layers, Supplier<VerticleBase> last, int lastInstances) {
    return new Layer(layers.get(0), layers.subList(1, layers.size()), last, lastInstances);
  }

  private Layer(VerticleBase own, List<VerticleBase> rest, Supplier<VerticleBase> last, int lastInstances) {
    this.own = own;
    this.rest = rest;
    this.last = last;
    this.lastInstances = lastInstances;
  }

  /**
   * When a later layer fails to start, this one is stopped before the failure is reported: Vert.x does not
   * stop a deployment whose start failed, and a started outbox must save what it delivered meanwhile.
   */
  @Override
  public Future<?> start() throws Exception {
    own.init(vertx, context);
    return own.start().compose(v -> deployRest().recover(failure -> stopOwn().transform(stopped -> Future.failedFuture(failure))));
  }

  private Future<?> stopOwn() {
    try {
      return own.stop();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Future<String> deployRest() {
    return rest.isEmpty()
        ? vertx.deployVerticle(last::get, new DeploymentOptions().setInstances(lastInstances))
        : vertx.deployVerticle(new Layer(rest.get(0), rest.subList(1, rest.size()), last, lastInstances));
  }

  @Override
  public Future<?> stop() throws Exception {
    return own.stop();
  }
}
