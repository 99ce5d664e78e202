package io.eventsprocessor;

import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.cluster.ClusterSetup;
import io.eventsprocessor.service.AppConfig;
import io.eventsprocessor.cluster.ClusterSettings;
import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.config.ConfigFile;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.service.ListeningPorts;
import io.eventsprocessor.metrics.MetricsSetup;
import io.eventsprocessor.state.StateDir;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.ExitCodes;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.BindException;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jar's entry point: Vert.x's own launcher ({@code -conf}, {@code -instances}, {@code -cluster}, …), with what
 * must be settled before Vert.x starts, one hook each:
 * <ul>
 *   <li>{@link #main} and {@link #afterConfigParsed}: the {@code -conf} file is read strictly (see
 *       {@link ConfigFile}), before Vert.x's launcher would warn about it; a file that is missing, unreadable or not
 *       a JSON object stops the start with {@link #EXIT_CONFIG};</li>
 *   <li>{@link #afterVertxOptionsParsed} and {@link #beforeStartingVertx}: Vert.x's own metrics on, on the
 *       service's Prometheus registry, unless {@code -options} turns them off;</li>
 *   <li>{@link #createVertxBuilder}: with {@code -cluster}, the Hazelcast member is built from the config's
 *       {@code cluster} section and the {@code CLUSTER_*} environment variables (see {@link ClusterSetup});</li>
 *   <li>{@link #afterFailureToDeployVerticle}: a wrong config value, an unusable state directory or a port another
 *       process holds (named with its key, see {@link ListeningPorts}) is one line and {@link #EXIT_CONFIG}, not a
 *       stack trace.</li>
 * </ul>
 */
public class Launcher extends VertxApplication implements VertxApplicationHooks {
  /**
   * Exit code when the config, or a state file, is wrong at start: the launcher's own code for a main verticle that
   * failed to start, which is how the service reports the config's values it checks itself.
   */
  public static final int EXIT_CONFIG = ExitCodes.VERTX_DEPLOYMENT;
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
  private static volatile HazelcastClusterManager clusterManager;
  /** The {@code -conf} file's path, when one was given (not inline JSON): a reload reads it again. */
  private static volatile String confFile;

  private final boolean clustered;
  /** What was given to {@code -conf}; null when nothing was. */
  private final String confArgument;
  private JsonObject config = new JsonObject();
  private boolean configRefused;
  /** Whether {@code -options} turned Vert.x's metrics off explicitly ({@code "metricsOptions": {"enabled": false}}). */
  private boolean vertxMetricsOff;

  public static void main(String[] args) {
    Launcher launcher = new Launcher(args);
    if (launcher.confArgument != null && !launcher.confArgument.strip().startsWith("{")) {
      confFile = launcher.confArgument;
    }
    if (launcher.confArgument != null) {
      // Read before Vert.x's launcher reads it: that one would first warn about a file it cannot use, and go on.
      try {
        launcher.config = ConfigFile.read(launcher.confArgument);
      } catch (ConfigException e) {
        LOG.error("cannot start: {}", e.getMessage());
        System.exit(EXIT_CONFIG);
      }
    }
    int code = launcher.launch();
    if (code != 0) {
      // The launcher answers every failure of a hook with its generic code 1; a refused config has its own.
      System.exit(launcher.configRefused ? EXIT_CONFIG : code);
    }
  }

  public Launcher(String[] args) {
    // Hooks: this object. Usage printed on wrong options; the exit is left to main, for the code of a refused config.
    super(args, null, true, false);
    this.clustered = List.of(args).stream().anyMatch(a -> a.equals("-cluster") || a.equals("--cluster") || a.equals("-c"));
    this.confArgument = optionValue(args, "-conf", "--conf");
  }

  /** An option's value, as the launcher's parser (picocli, case-insensitive) reads it: {@code -conf x} or {@code -conf=x}. */
  static String optionValue(String[] args, String... names) {
    String value = null;
    for (int i = 0; i < args.length; i++) {
      for (String name : names) {
        String arg = args[i].toLowerCase(Locale.ROOT);
        if (arg.equals(name) && i + 1 < args.length) {
          value = args[i + 1];
        } else if (arg.startsWith(name + "=")) {
          value = args[i].substring(name.length() + 1);
        }
      }
    }
    return value;
  }

  /** The cluster manager of this process, when it was launched with {@code -cluster}; null otherwise. */
  /** Ends the process with this code at once, once the log is written out. */
  static void exitNow(int code) {
    ((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    Runtime.getRuntime().halt(code);
  }

  static HazelcastClusterManager clusterManager() {
    return clusterManager;
  }

  /**
   * The {@code -conf} file, read again as strictly as at start, for a reload of the rules (see {@link Reloader}); null
   * when the service was started without a file (no {@code -conf}, or its JSON inline).
   */
  static java.util.function.Supplier<JsonObject> confFile() {
    String file = confFile;
    return file == null ? null : () -> ConfigFile.read(file);
  }

  /**
   * {@code SIGHUP} reloads the rules from the {@code -conf} file, as the admin API's reload does. Handled from before
   * the service deploys: the JVM's own handling of the signal would stop the process.
   */
  @Override
  public void beforeDeployingVerticle(HookContext context) {
    Vertx vertx = context.vertx();
    try {
      sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> vertx.eventBus()
          .request(EventAddresses.ADMIN_RELOAD_RULES, null)
          .onFailure(e -> {
            if (e instanceof ReplyException r
                && r.failureType() == ReplyFailure.NO_HANDLERS) {
              LOG.warn("SIGHUP before the service has started: nothing reloaded");
            } // otherwise the reload logged its outcome
          }));
      if (before == sun.misc.SignalHandler.SIG_IGN) {
        // Started with hangups ignored (nohup): the JVM keeps them ignored, and never calls the handler.
        LOG.info("SIGHUP is ignored by this process (started under nohup?): reload the rules with the admin API");
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("SIGHUP cannot be handled here ({}): reload the rules with the admin API", e.getMessage());
    }
  }

  /** The {@code -conf} JSON, read strictly: the launcher's own reading falls back on an empty config. */
  @Override
  public JsonObject afterConfigParsed(JsonObject parsed) {
    if (confArgument != null) {
      try {
        config = ConfigFile.read(confArgument);
      } catch (ConfigException e) {
        configRefused = true;
        LOG.error("cannot start: {}", e.getMessage());
        throw e;
      }
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
    boolean portInUse = isPortInUse(failure);
    if (!(portInUse || failure instanceof ConfigException || failure instanceof StateDir.StateDirException)) {
      VertxApplicationHooks.super.afterFailureToDeployVerticle(context, failure);
      return;
    }
    if (!portInUse) {
      LOG.error("cannot start: {}", failure.getMessage());
    }
    try {
      context.vertx().close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (portInUse) {
      // Which port: the one still taken once this process's own servers are closed.
      LOG.error("cannot start: {}", portInUse());
    }
    System.exit(EXIT_CONFIG);
  }

  /** A server could not listen: its port is taken (the exception does not say which port). */
  static boolean isPortInUse(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || t instanceof java.io.IOException && String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /** The port in use and its key, from the config the service started with. */
  private String portInUse() {
    Map<String, String> environment = System.getenv();
    JsonObject effective = config.copy().mergeIn(ConfigLoader.fromEnvironment(environment), true);
    Map<String, String> variables = ConfigLoader.variables(environment);
    // The config was checked before any server started: these values are the ones the servers were given.
    AppConfig app = AppConfig.read(ConfigReader.root(effective, variables));
    return ListeningPorts.inUse(ListeningPorts.of(app), variables);
  }
}
