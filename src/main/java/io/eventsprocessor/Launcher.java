package io.eventsprocessor;

import io.eventsprocessor.cluster.ClusterSetup;
import io.eventsprocessor.config.ClusterSettings;
import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.metrics.MetricsSetup;
import io.eventsprocessor.state.StateDir;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.ExitCodes;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jar's entry point: Vert.x's own launcher ({@code -conf}, {@code -instances}, {@code -cluster}, …), with what
 * must be settled before Vert.x starts. With {@code -cluster}, the Hazelcast member is built from the config's
 * {@code cluster} section and the {@code CLUSTER_*} environment variables (see {@link ClusterSetup}).
 */
public class Launcher extends VertxApplication implements VertxApplicationHooks {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
  /** The launcher's code for a failed deployment, which the README promises for a wrong config or state. */
  static final int EXIT_CANNOT_START = ExitCodes.VERTX_DEPLOYMENT;
  private static volatile HazelcastClusterManager clusterManager;

  private final boolean clustered;
  private JsonObject config = new JsonObject();
  /** Whether {@code -options} turned Vert.x's metrics off explicitly ({@code "metricsOptions": {"enabled": false}}). */
  private boolean vertxMetricsOff;

  public static void main(String[] args) {
    String confProblem = ConfigLoader.confProblem(List.of(args));
    if (confProblem != null) {
      LOG.error("cannot start: {}", confProblem);
      System.exit(EXIT_CANNOT_START);
    }
    new Launcher(args).launch();
  }

  public Launcher(String[] args) {
    super(args);
    this.clustered = List.of(args).stream().anyMatch(a -> a.equals("-cluster") || a.equals("--cluster") || a.equals("-c"));
  }

  /** The cluster manager of this process, when it was launched with {@code -cluster}; null otherwise. */
  static HazelcastClusterManager clusterManager() {
    return clusterManager;
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    if (config != null) {
      this.config = config;
    }
    return config;
  }

  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject vertxOptions) {
    JsonObject metrics = vertxOptions == null ? null : vertxOptions.getJsonObject("metricsOptions");
    vertxMetricsOff = metrics != null && Boolean.FALSE.equals(metrics.getValue("enabled"));
    return vertxOptions;
  }

  /**
   * Vert.x's own metrics on, on the service's Prometheus registry, with no {@code -options} needed: set here, after
   * the launcher turned {@code -options} into options (it would replace metrics options set any earlier).
   */
  @Override
  public void beforeStartingVertx(HookContext context) {
    if (!vertxMetricsOff) {
      context.vertxOptions().setMetricsOptions(MetricsSetup.vertxOptions());
    }
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    // The builder keeps these options and reads them when Vert.x is built, after beforeStartingVertx.
    VertxBuilder builder = Vertx.builder().with(options)
        .withMetrics(new MicrometerMetricsFactory(MetricsSetup.newRegistry()));
    if (!clustered) {
      return builder;
    }
    JsonObject effective = config.copy().mergeIn(ConfigLoader.fromEnvironment(System.getenv()), true);
    // Wrong values are reported with the rest of the config once the service starts (exit code 15).
    ClusterSettings settings = ClusterSettings.read(ConfigReader.root(effective).object("cluster"));
    options.getEventBusOptions().setHost(settings.host());
    clusterManager = new HazelcastClusterManager(ClusterSetup.hazelcastConfig(settings));
    return builder.withClusterManager(clusterManager);
  }

  /**
   * A wrong config or an unusable state directory is the operator's to fix: one line that says what, rather than
   * the launcher's stack trace, which says nothing more. Anything else keeps the launcher's report.
   */
  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    if (!(failure instanceof ConfigException || failure instanceof StateDir.StateDirException)) {
      VertxApplicationHooks.super.afterFailureToDeployVerticle(context, failure);
      return;
    }
    LOG.error("cannot start: {}", failure.getMessage());
    try {
      context.vertx().close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    System.exit(EXIT_CANNOT_START);
  }
}
