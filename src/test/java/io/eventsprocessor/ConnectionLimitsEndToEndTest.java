package io.eventsprocessor;

import static io.eventsprocessor.RawHttp.head;
import static io.eventsprocessor.RawHttp.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HTTP edge's bounds, through raw connections: how many connections, how long headers and bodies may take, how
 * many bytes of bodies are held at once. A client beyond them is answered or closed; the service goes on.
 */
class ConnectionLimitsEndToEndTest extends EndToEnd {
  static final String LAUNCH = """
      {"type": "app_launch", "userId": "%s", "deviceId": "d", "occurredAt": "2026-01-01T10:00:00Z"}""";

  static JsonObject http(JsonObject http) {
    return new JsonObject().put("http", http);
  }

  int port() {
    return main.httpPort();
  }

  static String get(String path) {
    return head("GET", path);
  }

  @Test
  void aConnectionOverTheCapIsClosedAtOnceAndAPlaceFreedIsTakenAgain() throws Exception {
    startService(http(new JsonObject().put("maxConnections", 3)));
    List<RawHttp> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawHttp connection = new RawHttp(port());
        open.add(connection);
        // Answered, so counted: the next one is the fourth.
        assertThat(status(connection.send(get("/health/live")).readResponse(Duration.ofSeconds(5)))).isEqualTo(200);
      }
      try (RawHttp fourth = new RawHttp(port())) {
        assertThat(fourth.awaitClosed(Duration.ofSeconds(5))).as("the fourth connection is closed").isTrue();
        assertThat(fourth.received()).isEmpty();
      }
      // The three go on.
      assertThat(status(open.get(0).send(get("/health/live")).readResponse(Duration.ofSeconds(5)))).isEqualTo(200);

      open.remove(2).close();
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        try (RawHttp again = new RawHttp(port())) {
          again.send(get("/health/live"));
          return !again.awaitClosed(Duration.ofMillis(300)) && again.received().startsWith("HTTP/1.1 200");
        }
      });
      assertThat(main.ingestStats().connectionsRefused()).isGreaterThanOrEqualTo(1);
    } finally {
      for (RawHttp connection : open) {
        connection.close();
      }
    }
  }

  @Test
  void aConnectionThatDoesNotDeliverItsHeadersInTimeIsClosed() throws Exception {
    // The idle timeout is far away: only the deadline for headers can close these.
    startService(http(new JsonObject().put("headersTimeout", "PT0.5S").put("idleTimeout", "PT60S")));
    long started = System.nanoTime();
    try (RawHttp silent = new RawHttp(port()); RawHttp slow = new RawHttp(port())) {
      slow.send("POST /v1/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl");
      assertThat(slow.awaitClosed(Duration.ofSeconds(5))).as("a connection stuck in its headers is closed").isTrue();
      assertThat(silent.awaitClosed(Duration.ofSeconds(5))).as("a connection that sends nothing is closed").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(400));
    }
    assertThat(http.postEvent(LAUNCH.formatted("after")).status()).isEqualTo(202);
    assertThat(main.ingestStats().timedOut()).isEqualTo(2);
  }

  @Test
  void aRequestWhoseBodyDoesNotArriveInTimeIsAnswered408AndItsConnectionClosed() throws Exception {
    startService(http(new JsonObject().put("bodyTimeout", "PT1S")));
    try (RawHttp stalled = new RawHttp(port())) {
      stalled.send(head("POST", "/v1/events", "Content-Type: application/json", "Content-Length: 200"))
          .send("[{\"type\": \"app_launch\"");
      assertThat(stalled.awaitClosed(Duration.ofSeconds(6))).as("closed by the deadline").isTrue();
      String answer = stalled.received();
      assertThat(answer).startsWith("HTTP/1.1 408").containsIgnoringCase("content-type: application/problem+json")
          .contains("\"status\":408")
          .contains("The request's body did not arrive within 1 s of its headers; the connection is closed.");
    }
    // A kept-alive connection whose request was whole is not closed by that deadline.
    try (RawHttp keptAlive = new RawHttp(port())) {
      String event = LAUNCH.formatted("kept");
      keptAlive.send(head("POST", "/v1/event", "Content-Type: application/json",
          "Content-Length: " + event.length()) + event);
      assertThat(status(keptAlive.readResponse(Duration.ofSeconds(5)))).isEqualTo(202);
      assertThat(keptAlive.awaitClosed(Duration.ofMillis(1500))).isFalse();
      assertThat(status(keptAlive.send(get("/health/live")).readResponse(Duration.ofSeconds(5)))).isEqualTo(200);
    }
  }

  @Test
  void bodiesOverTheBytesInFlightAreAnswered503AndTheOthersGoThrough() throws Exception {
    startService(http(new JsonObject().put("bodyLimit", 1024).put("batchBodyLimit", 1024)
        .put("bodyBytesInFlight", 1500)));
    // Two events of 1024 bytes (padded with spaces), each sent but for its last 24 bytes: both cannot be held.
    List<String> events = List.of(pad(LAUNCH.formatted("a")), pad(LAUNCH.formatted("b")));
    List<RawHttp> connections = new ArrayList<>();
    try {
      for (String event : events) {
        RawHttp connection = new RawHttp(port());
        connections.add(connection);
        connection.send(head("POST", "/v1/event", "Content-Type: application/json", "Content-Length: 1024"))
            .send(event.substring(0, 1000));
      }
      // Whichever came second does not fit: answered 503 at once, and closed.
      int refused = -1;
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (refused < 0 && System.nanoTime() < deadline) {
        for (int i = 0; i < 2 && refused < 0; i++) {
          if (connections.get(i).awaitClosed(Duration.ofMillis(100))) {
            refused = i;
          }
        }
      }
      assertThat(refused).as("one of the two bodies is refused").isNotNegative();
      String answer = connections.get(refused).received();
      assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 5")
          .containsIgnoringCase("content-type: application/problem+json")
          .contains("The service holds as many request bodies as it can now; nothing was accepted.");

      // The other one is whole once its last bytes come.
      int taken = 1 - refused;
      connections.get(taken).send(events.get(taken).substring(1000));
      assertThat(status(connections.get(taken).readResponse(Duration.ofSeconds(5)))).isEqualTo(202);
    } finally {
      for (RawHttp connection : connections) {
        connection.close();
      }
    }
    // Answered, the bodies are no longer held.
    assertThat(http.postEvent(pad(LAUNCH.formatted("c"))).status()).isEqualTo(202);
    assertThat(main.ingestStats().overBudget()).isEqualTo(1);
  }

  static String pad(String json) {
    return json + " ".repeat(1024 - json.length());
  }
}
