package io.eventsprocessor.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the effective config: the launcher's {@code -conf} JSON, then the documented environment variables
 * on top (the stock env store cannot set nested keys, so each variable is mapped to its key here).
 */
public final class ConfigLoader {
  /** Environment variable to config key; the values that differ per deployment. */
  public static final Map<String, String> ENVIRONMENT = orderedMap(
      "HTTP_HOST", "http.host",
      "HTTP_PORT", "http.port",
      "NOTIFY_URL", "notify.url",
      "NOTIFY_SINK_ENABLED", "notifySink.enabled",
      "NOTIFY_SINK_PORT", "notifySink.port",
      "STATE_DIR", "state.dir",
      "ADMIN_HOST", "admin.host",
      "ADMIN_PORT", "admin.port",
      "ADMIN_TOKEN", "admin.token",
      "METRICS_SERVER", "metrics.server",
      "METRICS_HOST", "metrics.host",
      "METRICS_PORT", "metrics.port",
      "AUTH_MODE", "auth.mode",
      "AUTH_WRITE_KEY", "auth.writeKey",
      "AUTH_JWT_SECRET", "auth.jwt.hs256Secret",
      "AUTH_JWT_PUBLIC_KEY", "auth.jwt.rs256PublicKey",
      "CLUSTER_NAME", "cluster.name",
      "CLUSTER_HOST", "cluster.host",
      "CLUSTER_PORT", "cluster.port",
      "CLUSTER_MEMBERS", "cluster.members",
      "CLUSTER_QUORUM", "cluster.quorum",
      "CLUSTER_KUBERNETES_SERVICE", "cluster.kubernetesService",
      "CLUSTER_KUBERNETES_NAMESPACE", "cluster.kubernetesNamespace",
      "LOG_FORMAT", "log.format");

  private ConfigLoader() {}

  /** The merged JSON, to be checked by its readers. */
  public static Future<JsonObject> load(Vertx vertx, JsonObject launcherConfig, Map<String, String> environment) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(launcherConfig))
        .addStore(new ConfigStoreOptions().setType("json").setConfig(fromEnvironment(environment)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig().eventually(retriever::close);
  }

  /** Full key to the variable that sets it, for the variables set: config errors name the variable. */
  public static Map<String, String> variables(Map<String, String> environment) {
    Map<String, String> variables = new LinkedHashMap<>();
    ENVIRONMENT.forEach((variable, key) -> {
      if (environment.get(variable) != null) {
        variables.put(key, variable);
      }
    });
    return variables;
  }

  /** The nested JSON that the set environment variables stand for. */
  public static JsonObject fromEnvironment(Map<String, String> environment) {
    JsonObject json = new JsonObject();
    ENVIRONMENT.forEach((variable, key) -> {
      String value = environment.get(variable);
      if (value != null) {
        String[] path = key.split("\\.");
        JsonObject parent = json;
        for (int i = 0; i < path.length - 1; i++) {
          if (!parent.containsKey(path[i])) {
            parent.put(path[i], new JsonObject());
          }
          parent = parent.getJsonObject(path[i]);
        }
        parent.put(path[path.length - 1], value);
      }
    });
    return json;
  }

  private static Map<String, String> orderedMap(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }
}
