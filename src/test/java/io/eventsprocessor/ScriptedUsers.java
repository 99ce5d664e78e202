package io.eventsprocessor;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Users whose events and expected notifications are known in advance, sent by clients as an app sends them: a
 * user's events one after another, each resent until it gets a 2xx, to another node when one fails. And the
 * notification service they are compared with: a real HTTP server on loopback that records what it receives.
 * Event times come from the script, so what is expected does not depend on how fast anything runs.
 */
final class ScriptedUsers implements AutoCloseable {
  /** A user's script: its events in order, and the notifications (kind and minutes) it must get. */
  record User(String id, List<String> events, String expectedKind, long expectedMinutes) {}

  /** One notification as received. */
  record Received(String id, String kind, String userId, String triggeredBy, long minutes) {}

  private final HttpServer receiver;
  final List<Received> received = new CopyOnWriteArrayList<>();
  final List<User> users = new ArrayList<>();
  final AtomicInteger sent = new AtomicInteger();
  final AtomicInteger acknowledged = new AtomicInteger();
  final AtomicInteger failedAttempts = new AtomicInteger();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ExecutorService clients = Executors.newFixedThreadPool(8);
  private final List<Future<?>> running = new ArrayList<>();

  ScriptedUsers() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/v1/notify", exchange -> {
      try (InputStream body = exchange.getRequestBody()) {
        JsonObject n = new JsonObject(new String(body.readAllBytes(), StandardCharsets.UTF_8));
        JsonObject data = n.getJsonObject("data", new JsonObject());
        received.add(new Received(n.getString("id"), n.getString("kind"), n.getString("userId"), n.getString("triggeredBy"),
            data.getValue("minutes") instanceof Number m ? m.longValue() : -1));
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.start();
  }

  String notifyUrl() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/notify";
  }

  /**
   * Adds {@code count} users named {@code prefix-i}, cycling through three kinds: one who launches and never starts
   * (a reminder), one who launches and starts at once, then trains with a pause (a congratulation, no reminder),
   * one who trains less than the minimum (nothing). Scripts run up to an hour and a half from {@code at}: stamps
   * later than a few minutes past the receipt would be clamped (see README, "Device clocks"), so {@code at} is in
   * the past.
   */
  void script(String prefix, int count, Instant at) {
    for (int i = 0; i < count; i++) {
      String id = prefix + "-" + i;
      Instant t = at.plusSeconds(i);
      switch (i % 3) {
        case 0 -> users.add(new User(id, List.of(event(id, "app_launch", t, null)), "training_reminder", -1));
        case 1 -> {
          long minutes = 31 + i % 40;
          Instant start = t.plusSeconds(2);
          Instant pause = start.plusSeconds(20 * 60);
          Instant resume = pause.plusSeconds(7 * 60);
          Instant finish = resume.plusSeconds((minutes - 20) * 60 + 30);
          users.add(new User(id, List.of(event(id, "app_launch", t, null), event(id, "training_program_started", start, "p"),
              event(id, "training_program_paused", pause, "p"), event(id, "training_program_resumed", resume, "p"),
              event(id, "training_program_finished", finish, "p")), "training_congratulation", minutes));
        }
        default -> users.add(new User(id, List.of(event(id, "training_program_started", t, "q"),
            event(id, "training_program_finished", t.plusSeconds(25 * 60), "q")), null, -1));
      }
    }
  }

  private static String event(String user, String type, Instant at, String program) {
    JsonObject event = new JsonObject().put("id", user + "-" + type).put("type", type).put("userId", user)
        .put("deviceId", "d").put("occurredAt", at.toString());
    if (program != null) {
      event.put("data", new JsonObject().put("programId", program));
    }
    return event.encode();
  }

  /**
   * Sends every user's events, a few users at a time, each event to a node {@code port} picks, resent (to the next
   * pick) until it gets a 2xx.
   */
  void send(IntSupplier port, Duration spacing) {
    for (User user : users) {
      running.add(clients.submit(() -> {
        Random random = new Random(user.id().hashCode());
        for (String event : user.events()) {
          sent.incrementAndGet();
          deliver(event, port);
          pause(spacing.toMillis() / 2 + random.nextInt((int) Math.max(1, spacing.toMillis())));
        }
        return null;
      }));
    }
  }

  private void deliver(String event, IntSupplier port) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    long backoff = 50;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + "/v1/event"))
            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 == 2) {
          acknowledged.incrementAndGet();
          return;
        }
      } catch (IOException e) {
        // the node is down or went down: another one, after a moment
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      failedAttempts.incrementAndGet();
      pause(backoff);
      backoff = Math.min(1000, backoff * 2);
    }
    throw new IllegalStateException("no node acknowledged " + event + " within 3 minutes");
  }

  /** A client's own pacing and retry backoff; the test's synchronisation is awaitility's, never this. */
  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // pacing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every client has had every event acknowledged. */
  void awaitSent(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Future<?> f : running) {
      f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** Every expected notification received, per user and kind. */
  boolean allExpectedArrived() {
    Map<String, Boolean> got = new ConcurrentHashMap<>();
    received.forEach(r -> got.put(r.userId() + "/" + r.kind(), true));
    return users.stream().filter(u -> u.expectedKind() != null)
        .allMatch(u -> got.containsKey(u.id() + "/" + u.expectedKind()));
  }

  /** What is wrong with what was received: missing, unexpected, wrong minutes, two ids for one cause. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    Map<String, User> byId = new ConcurrentHashMap<>();
    users.forEach(u -> byId.put(u.id(), u));
    Map<String, String> idByCause = new ConcurrentHashMap<>();
    for (Received r : received) {
      User user = byId.get(r.userId());
      if (user == null || !r.kind().equals(user.expectedKind())) {
        problems.add("unexpected " + r);
      } else if (user.expectedMinutes() >= 0 && r.minutes() != user.expectedMinutes()) {
        problems.add("wrong minutes " + r + ", expected " + user.expectedMinutes());
      }
      String previous = idByCause.putIfAbsent(r.kind() + "/" + r.userId() + "/" + r.triggeredBy(), r.id());
      if (previous != null && !previous.equals(r.id())) {
        problems.add("two ids for one cause: " + previous + " and " + r);
      }
    }
    for (User user : users) {
      if (user.expectedKind() != null && received.stream().noneMatch(r -> r.userId().equals(user.id()))) {
        problems.add("missing " + user.expectedKind() + " for " + user.id());
      }
    }
    return problems;
  }

  /** Deliveries of an id already delivered (allowed: the receiver drops them by Idempotency-Key). */
  long redeliveries() {
    return received.size() - received.stream().map(Received::id).distinct().count();
  }

  @Override
  public void close() {
    clients.shutdownNow();
    receiver.stop(0);
  }
}
