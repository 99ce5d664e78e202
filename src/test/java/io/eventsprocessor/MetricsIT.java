package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar's metrics, as Prometheus scrapes them, after some traffic: Vert.x's own (HTTP server and client,
 * event bus, pools), the JVM's and the process's, and the service's counters and histograms; all without
 * {@code -options}, and on a port of their own that serves nothing else.
 */
class MetricsIT {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  @TempDir Path stateDir;
  JarNode node;

  @AfterEach
  void stop() throws InterruptedException {
    if (node != null) {
      node.destroy();
    }
  }

  @Test
  void aScrapeAfterTrafficFindsEveryFamily() throws Exception {
    int sinkPort = JarNode.freePort();
    int metricsPort = JarNode.freePort();
    node = new JarNode("metrics", List.of(), Map.of("STATE_DIR", stateDir.toString(), "HTTP_HOST", "127.0.0.1",
        "NOTIFY_SINK_PORT", String.valueOf(sinkPort), "NOTIFY_URL", "http://127.0.0.1:" + sinkPort + "/v1/notify",
        "METRICS_SERVER", "own", "METRICS_PORT", String.valueOf(metricsPort)), "-conf", "conf/config.json")
        .start().awaitReady(Duration.ofSeconds(60));

    for (String event : ServiceEndToEndTest.TASK_EVENTS) {
      assertThat(post("/v1/event", Files.readString(Path.of("src/test/resources/examples/legacy", event + ".json"))))
          .isEqualTo(202);
    }
    assertThat(post("/v1/events", "[{\"type\": \"app_launch\", \"userId\": \"u\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2021-03-01T09:00:00Z\"}, {\"type\": \"app_launch\"}]")).isEqualTo(200);
    assertThat(post("/v1/nowhere", "{}")).isEqualTo(404);
    await().atMost(Duration.ofSeconds(15)).until(() -> node.linesContaining("NOTIFY ") == 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> value(scrape(metricsPort),
        "events_processor_delivery_latency_seconds_count") == 2);

    String metrics = scrape(metricsPort);
    // Vert.x's: the HTTP API's requests by route and status (the task's five, and the readiness check's event of a
    // type nobody declares), with a histogram of their handling time.
    assertThat(value(metrics, "vertx_http_server_requests_total{code=\"202\",method=\"POST\",route=\"/v1/event\"}"))
        .isEqualTo(6);
    assertThat(value(metrics, "vertx_http_server_requests_total{code=\"200\",method=\"POST\",route=\"/v1/events\"}"))
        .isEqualTo(1);
    assertThat(metrics).contains("vertx_http_server_response_time_seconds_bucket{code=\"202\",method=\"POST\","
        + "route=\"/v1/event\",le=\"0.001\"}");
    assertThat(metrics).contains("vertx_http_server_requests_total{code=\"404\"");
    // What the HTTP API holds now, read when scraped: Vert.x's own HTTP server metrics are off.
    assertThat(metrics).contains("events_processor_connections_open ")
        .contains("events_processor_body_bytes_in_flight ").doesNotContain("vertx_http_server_active_requests");
    // The outbox's client to the notification service, the event bus, the pools.
    assertThat(value(metrics, "vertx_http_client_requests_total{method=\"POST\"}")).isEqualTo(2);
    assertThat(metrics).contains("vertx_http_client_response_time_seconds_bucket");
    assertThat(value(metrics, "vertx_eventbus_sent_total{address=\"events-processor.notification\",side=\"local\"}"))
        .isEqualTo(2);
    assertThat(metrics).contains("vertx_pool_in_use{pool_name=\"vert.x-worker-thread\",pool_type=\"worker\"}");
    // What the guards kept from users, by rule and reason: none of the task's events.
    assertThat(value(metrics, "events_processor_notifications_suppressed_total{family=\"reminder\","
        + "reason=\"trained_today\"}")).isZero();
    assertThat(metrics).contains("events_processor_notifications_deferred_waiting{family=\"congratulation\"}");
    // The JVM's and the process's.
    assertThat(metrics).contains("jvm_memory_used_bytes{").contains("jvm_gc_").contains("jvm_threads_live_threads")
        .contains("process_cpu_usage").contains("process_uptime_seconds").contains("process_files_open_files");
    // The service's counters, as before, and its histograms.
    assertThat(value(metrics, "events_processor_events_total{outcome=\"accepted\"}")).isEqualTo(6);
    assertThat(value(metrics, "events_processor_events_total{outcome=\"rejected\"}")).isEqualTo(1);
    // The edge's bounds are counted too (none was hit here).
    assertThat(value(metrics, "events_processor_connections_refused_total")).isZero();
    assertThat(value(metrics, "events_processor_connections_timed_out_total")).isZero();
    assertThat(value(metrics, "events_processor_bodies_over_budget_total")).isZero();
    assertThat(value(metrics, "events_processor_notifications_total{outcome=\"delivered\"}")).isEqualTo(2);
    assertThat(value(metrics, "events_processor_event_age_seconds_count")).isEqualTo(6);
    // The task's events are from 2021: older than a week, above every bucket.
    assertThat(value(metrics, "events_processor_event_age_seconds_bucket{le=\"604800.0\"}")).isZero();
    assertThat(value(metrics, "events_processor_decision_latency_seconds_count")).isEqualTo(2);
    assertThat(value(metrics, "events_processor_decision_latency_seconds_bucket{le=\"10.0\"}")).isEqualTo(2);
    assertThat(value(metrics, "events_processor_delivery_latency_seconds_bucket{le=\"10.0\"}")).isEqualTo(2);
    assertThat(value(metrics, "events_processor_notification_attempts_bucket{outcome=\"delivered\",le=\"1.0\"}"))
        .isEqualTo(2);

    // The metrics' port serves the metrics and nothing of the admin API; the admin API still serves them too.
    assertThat(get(metricsPort, "/v1/admin/dead-letters").statusCode()).isEqualTo(404);
    await().atMost(Duration.ofSeconds(10)).until(() -> node.admin("/metrics") != null);
    assertThat(node.admin("/metrics")).contains("events_processor_event_age_seconds_count");
    assertThat(node.output()).noneMatch(line -> line.contains("WARN") || line.contains("ERROR"));
  }

  private int post(String path, String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response = get(port, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return response.body();
  }

  /** The value of one series, named with its labels as Prometheus prints them; -1 when absent. */
  static double value(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
