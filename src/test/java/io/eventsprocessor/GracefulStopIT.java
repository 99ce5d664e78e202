package io.eventsprocessor;

import static io.eventsprocessor.RawHttp.head;
import static io.eventsprocessor.RawHttp.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while uploads are in flight, on the real jar: the edge stops taking connections at once, the requests it
 * has are read to the end and answered, and then the service stops as before, its state saved.
 */
class GracefulStopIT {
  @TempDir Path stateDir;
  JarNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.destroy();
    }
  }

  static String launch(String userId) {
    return """
        {"type": "app_launch", "userId": "%s", "deviceId": "d", "occurredAt": "2026-01-01T10:00:00Z"}""".formatted(userId);
  }

  /** A request sent but for the last part of its body, once the service said it reads the body (100 Continue). */
  RawHttp started(String path, String body) throws IOException {
    RawHttp connection = new RawHttp(node.httpPort);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    connection.send(head("POST", path, "Content-Type: application/json", "Content-Length: " + bytes.length,
        "Expect: 100-continue"));
    connection.awaitText("HTTP/1.1 100 Continue\r\n\r\n", Duration.ofSeconds(10));
    return connection.send(java.util.Arrays.copyOf(bytes, bytes.length - 10));
  }

  static void finish(RawHttp connection, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    connection.send(java.util.Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length));
  }

  boolean takesConnections() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", node.httpPort)) {
      return true;
    } catch (ConnectException e) {
      return false;
    }
  }

  @Test
  void uploadsInFlightWhenSigtermArrivesAreReadAndAnsweredAndKept() throws Exception {
    Map<String, String> environment = Map.of("STATE_DIR", stateDir.toString(), "NOTIFY_SINK_ENABLED", "false");
    node = new JarNode("drain", List.of(), environment, "-conf", "{\"http\": {\"drainTimeout\": \"PT20S\"}}").start();
    node.awaitReady(Duration.ofSeconds(40));

    String batch = new JsonArray(List.of(new JsonObject(launch("batch-1")), new JsonObject(launch("batch-2"))))
        .encode();
    String event = launch("single");
    try (RawHttp batchUpload = started("/v1/events", batch); RawHttp eventUpload = started("/v1/event", event)) {
      node.sigterm();
      // The edge takes no new connection as soon as it drains.
      await().atMost(Duration.ofSeconds(10)).until(() -> !takesConnections());
      assertThat(node.isAlive()).isTrue();

      finish(batchUpload, batch);
      finish(eventUpload, event);
      String answer = batchUpload.readResponse(Duration.ofSeconds(10));
      assertThat(status(answer)).isEqualTo(200);
      assertThat(answer).contains("\"status\":\"accepted\"").doesNotContain("\"status\":\"rejected\"");
      String single = eventUpload.readResponse(Duration.ofSeconds(10));
      assertThat(status(single)).isEqualTo(202);
      assertThat(single).contains("\"status\":\"accepted\"");
    }
    assertThat(node.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
    assertThat(node.output()).anySatisfy(line -> assertThat(line).contains("draining"));

    // What was answered is kept: the same events, sent again to the next start, are duplicates.
    node.start().awaitReady(Duration.ofSeconds(40));
    try (RawHttp again = new RawHttp(node.httpPort)) {
      again.send(head("POST", "/v1/events", "Content-Type: application/json",
          "Content-Length: " + batch.getBytes(StandardCharsets.UTF_8).length) + batch);
      String resent = again.readResponse(Duration.ofSeconds(10));
      assertThat(resent).contains("\"status\":\"duplicate\"").doesNotContain("\"status\":\"accepted\"");
    }
  }
}
