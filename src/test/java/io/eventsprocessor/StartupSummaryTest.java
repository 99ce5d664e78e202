package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.service.AppConfig;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.config.MemoryBudget;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the log says once the service started: where it listens, how it is protected, what it keeps, at most. */
class StartupSummaryTest {
  static final long HEAP_160_MB = 160L << 20;

  static AppConfig config(JsonObject json) {
    ConfigReader root = ConfigReader.root(json);
    AppConfig config = AppConfig.read(root, new MemoryBudget(HEAP_160_MB));
    root.object("rules");
    root.finish();
    return config;
  }

  @Test
  void aSingleNodeSaysWhereItListensHowItIsProtectedAndWhatItKeeps() {
    String summary = StartupSummary.text(config(new JsonObject()), new StartupSummary.Ports(8080, 8082, -1), false,
        1, HEAP_160_MB);
    assertThat(summary).startsWith("started: single node, 1 HTTP edge")
        .contains("HTTP API  http://0.0.0.0:8080 (auth none)")
        .contains("admin API http://127.0.0.1:8082/v1/admin/ (no token)\n  metrics   on the admin API, /metrics")
        .contains("notify    http://127.0.0.1:8081/v1/notify; local sink on http://127.0.0.1:8081/v1/notify")
        .contains("state     " + Path.of("data").toAbsolutePath() + " (sync: fsync)")
        .contains("limits    heap at most 160 MB: 159783 users kept, 32 latest events a user remembered for PT24H to tell resends, "
            + "21236 notifications queued")
        .contains("bodies of 65536 bytes, batches of 524288 bytes and 500 events")
        .contains("10 events/s per user (bursts of 500)");
  }

  @Test
  void aClusterNodeWithItsOwnMetricsPortAndNoSinkSaysSo() {
    String summary = StartupSummary.text(config(new JsonObject()
            .put("notifySink", new JsonObject().put("enabled", false))
            .put("notify", new JsonObject().put("url", "https://notify.internal/v1/notify"))
            .put("admin", new JsonObject().put("token", "an-operator-token"))
            .put("metrics", new JsonObject().put("server", "own"))
            .put("auth", new JsonObject().put("mode", "writeKey").put("writeKey", "0123456789abcdef"))
            .put("cluster", new JsonObject().put("name", "prod").put("host", "10.0.0.5").put("port", 5701))),
        new StartupSummary.Ports(8080, 8082, 8083), true, 2, HEAP_160_MB);
    assertThat(summary).startsWith("started: cluster node 10.0.0.5:5701 of cluster \"prod\", 2 HTTP edges")
        .contains("(auth writeKey)")
        .contains("admin API http://127.0.0.1:8082/v1/admin/ (token required)")
        .contains("metrics   http://0.0.0.0:8083/metrics (and on the admin API)")
        .contains("notify    https://notify.internal/v1/notify; local sink off")
        .doesNotContain("0123456789abcdef").doesNotContain("an-operator-token");
  }

  @Test
  void credentialsInTheNotificationUrlAreNotShown() {
    String summary = StartupSummary.text(config(new JsonObject().put("notify", new JsonObject()
            .put("url", "https://events:s3cr3t-pa55@notify.internal:8443/v1/notify?apiKey=k3y-0f-th3-s3rv1c3"))),
        new StartupSummary.Ports(8080, 8082, -1), false, 1, HEAP_160_MB);
    assertThat(summary).contains("notify    https://***@notify.internal:8443/v1/notify?***; local sink on")
        .doesNotContain("s3cr3t").doesNotContain("events:").doesNotContain("k3y-0f-th3-s3rv1c3");
  }

  @Test
  void noAuthenticationOnAnInterfaceOthersCanReachIsWarnedAbout() {
    assertThat(StartupSummary.warning(config(new JsonObject())))
        .isEqualTo("auth.mode is none and the HTTP API listens on 0.0.0.0: anyone who reaches it can post events "
            + "of any user; set auth.mode to writeKey or jwt (see docs/api.md, Authentication)");
    assertThat(StartupSummary.warning(config(new JsonObject().put("http", new JsonObject().put("host", "127.0.0.1")))))
        .isNull();
    assertThat(StartupSummary.warning(config(new JsonObject()
        .put("auth", new JsonObject().put("mode", "writeKey").put("writeKey", "0123456789abcdef"))))).isNull();
  }
}
