package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack on the real jar at a small heap, in a JVM of its own: hundreds of connections each sending a
 * batch of about 520 KB and then a byte every second, and more trickling their headers. The service must keep its
 * heap, answer its health and valid events meanwhile, close the slow connections by its deadlines, and stop on
 * SIGTERM. (Before the edge had deadlines and a budget for bodies, this ran every event loop out of memory at
 * -Xmx192m.)
 */
class SlowClientsIT {
  static final int BODY_CLIENTS = 400;
  static final int HEADER_CLIENTS = 100;
  static final int BODY_BYTES = 520_000;
  static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(2);
  static final Duration BODY_TIMEOUT = Duration.ofSeconds(5);
  /** What a deadline may be late by on a busy machine: timers, the selector's round, a GC. */
  static final Duration SLACK = Duration.ofSeconds(4);
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path stateDir;
  JarNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.destroy();
      // What the service said, for a failure's sake.
      java.nio.file.Files.write(Path.of("target", "SlowClientsIT-node.log"), node.output());
    }
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path)));
  }

  HttpResponse<String> postLaunch(String userId) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/v1/event"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("""
            {"type": "app_launch", "userId": "%s", "deviceId": "d", "occurredAt": "2026-01-01T10:00:00Z"}"""
            .formatted(userId))));
  }

  @Test
  void slowClientsAtASmallHeapAreClosedByTheDeadlinesWhileHealthAndEventsAreAnswered() throws Exception {
    String config = """
        {"http": {"headersTimeout": "%s", "bodyTimeout": "%s"}}""".formatted(HEADERS_TIMEOUT, BODY_TIMEOUT);
    node = new JarNode("slow", List.of("-Xmx160m"), Map.of("STATE_DIR", stateDir.toString(),
        "NOTIFY_SINK_ENABLED", "false", "ADMIN_PORT", "0"), "-conf", config).start();
    node.awaitReady(Duration.ofSeconds(40));

    byte[] batchHead = ("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + (BODY_BYTES + 100) + "\r\n\r\n[").getBytes(StandardCharsets.US_ASCII);
    byte[] batch = new byte[batchHead.length + BODY_BYTES];
    System.arraycopy(batchHead, 0, batch, 0, batchHead.length);
    java.util.Arrays.fill(batch, batchHead.length, batch.length, (byte) ' ');
    byte[] eventHead = "POST /v1/event HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII);

    List<Integer> eventAnswers = new ArrayList<>();
    try (SlowClients bodies = new SlowClients(node.httpPort, BODY_CLIENTS, batch, " ".getBytes(StandardCharsets.US_ASCII));
        SlowClients headers = new SlowClients(node.httpPort, HEADER_CLIENTS, eventHead,
            "X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII))) {
      // Meanwhile: the probes and an app's events are answered, promptly (each request has 5 seconds).
      int i = 0;
      while (bodies.open() > 0 || headers.open() > 0) {
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health").statusCode()).isEqualTo(200);
        HttpResponse<String> event = postLaunch("during-" + i++);
        eventAnswers.add(event.statusCode());
        if (event.statusCode() == 503) {
          assertThat(event.headers().firstValue("Retry-After")).hasValue("5");
          assertThat(event.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - bodies.clients().get(0).openedAt))
            .as("the slow connections are closed in time").isLessThan(BODY_TIMEOUT.plus(SLACK).plus(SLACK));
      }

      // Each slow connection was closed by a deadline: a body one by its body's, a header one by its headers'.
      for (SlowClients.Client client : bodies.clients()) {
        assertThat(client.lifetime()).isLessThanOrEqualTo(BODY_TIMEOUT.plus(SLACK));
      }
      for (SlowClients.Client client : headers.clients()) {
        assertThat(client.lifetime()).isLessThanOrEqualTo(HEADERS_TIMEOUT.plus(SLACK));
      }
      // Some bodies were refused for the budget (503) at once, those held until the deadline got a 408 (some answers
      // are lost to the reset of a connection closed with bytes unread).
      List<Integer> statuses = bodies.clients().stream().map(SlowClients.Client::status).toList();
      System.out.printf("SlowClientsIT: body connections answered %d x 503, %d x 408, %d closed without a readable "
          + "answer; events posted during the attack: %d, answered 202: %d%n",
          statuses.stream().filter(s -> s == 503).count(), statuses.stream().filter(s -> s == 408).count(),
          statuses.stream().filter(s -> s == 0).count(), eventAnswers.size(),
          eventAnswers.stream().filter(s -> s == 202).count());
      assertThat(statuses).isSubsetOf(0, 408, 503).contains(408);
    }
    // The app posts from the attackers' address: past that address's burst, its rate limit answers 429, at once.
    assertThat(eventAnswers).contains(202).isSubsetOf(202, 429, 503);

    // After the attack: events are taken, nothing ran out of memory, and SIGTERM stops the service.
    await().atMost(Duration.ofSeconds(10)).until(() -> postLaunch("after").statusCode() == 202);
    assertThat(node.isAlive()).isTrue();
    assertThat(node.output()).noneMatch(line -> line.contains("OutOfMemoryError"));
    node.sigterm();
    assertThat(node.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
  }
}
