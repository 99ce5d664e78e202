package io.eventsprocessor;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shaded jar as one process of a test, started as an operator starts it ({@code java -jar … -conf …}, the
 * environment for what differs per node), stopped with SIGTERM or killed with SIGKILL, its output kept.
 */
public final class JarNode {
  static final Path JAR = Path.of(System.getProperty("app.jar", "target/events-processor.jar"));
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final int httpPort;
  final int adminPort;
  private final List<String> command;
  private final Map<String, String> environment;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private Process process;
  private Thread reader;

  JarNode(String name, List<String> jvmOptions, Map<String, String> environment, String... args) throws IOException {
    this.name = name;
    // A test may choose a port (a port in use, say); otherwise, or for "0", a free one.
    this.httpPort = chosenOrFreePort(environment.get("HTTP_PORT"));
    this.adminPort = chosenOrFreePort(environment.get("ADMIN_PORT"));
    this.command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(List.of(args));
    this.environment = new java.util.HashMap<>(environment);
    this.environment.put("HTTP_PORT", String.valueOf(httpPort));
    this.environment.put("ADMIN_PORT", String.valueOf(adminPort));
  }

  /** Ports {@link #freePort} returned in this JVM: never twice (a node's HTTP and admin ports drawn alike). */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static int chosenOrFreePort(String chosen) throws IOException {
    return chosen == null || chosen.equals("0") ? freePort() : Integer.parseInt(chosen);
  }

  /**
   * A port free now, below Linux's ephemeral range (32768 and up): a port the kernel hands out for port 0 may be
   * taken, before the node binds it, as the local port of an outgoing connection (the cluster's members connect to
   * each other all the time), and the node then fails to start with "in use".
   */
  public static int freePort() throws IOException {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = random.nextInt(20_000, 32_000);
      if (!HANDED_OUT.add(port)) {
        continue; // free now, but another node of this test run may be about to bind it
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // another one
      }
    }
    throw new IOException("no free port found from 20000 to 31999");
  }

  JarNode start() throws IOException {
    output.clear();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    process = builder.start();
    Process started = process;
    reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(output::add);
      } catch (IOException e) {
        // the process ended
      }
    }, name + "-output");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGTERM through the process handle ({@code Process.destroy()} would close the output's pipe too). */
  void sigterm() {
    process.toHandle().destroy();
  }

  /**
   * The node's SIGHUP handled by the service even when this JVM was started with hangups ignored (under
   * {@code nohup}, say): a child inherits an ignored signal, and the JVM does not handle one it was started ignoring.
   */
  JarNode hangupsDelivered() {
    command.addAll(0, List.of("env", "--default-signal=HUP"));
    return this;
  }

  /** SIGHUP: the service reloads its rules from the -conf file. */
  void sighup() throws IOException, InterruptedException {
    int code = new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid())).inheritIO().start().waitFor();
    if (code != 0) {
      throw new IllegalStateException("kill -HUP " + process.pid() + " exited with " + code);
    }
  }

  /** POST of one event on the HTTP API: the answer's status and body. */
  HttpResponse<String> postEvent(String json) throws IOException, InterruptedException {
    return CLIENT.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort
            + "/v1/event")).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL: no goodbye. */
  void kill() {
    process.destroyForcibly();
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " did not stop within " + timeout);
    }
    return process.exitValue();
  }

  /** Stops everything that is still running, for a test's clean-up. */
  void destroy() throws InterruptedException {
    if (isAlive()) {
      sigterm();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  long linesContaining(String text) {
    return output.stream().filter(line -> line.contains(text)).count();
  }

  List<String> output() {
    return List.copyOf(output);
  }

  /** The whole output of a process that has exited, once its last line is read. */
  List<String> awaitOutputEnd() throws InterruptedException {
    reader.join(Duration.ofSeconds(10).toMillis());
    return output();
  }

  /** GET on the admin API; null when it does not answer. */
  String admin(String path) {
    HttpResponse<String> response = get(adminPort, path);
    return response != null && response.statusCode() == 200 ? response.body() : null;
  }

  /**
   * A GET with a hard deadline: the client's own request timeout has been seen not to fire against a node that
   * accepted the connection and then stalled, which would hang the test (and its failure report) for good.
   */
  private static HttpResponse<String> get(int port, String path) {
    java.util.concurrent.CompletableFuture<HttpResponse<String>> response = CLIENT.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    try {
      return response.get(6, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      response.cancel(true);
      return null;
    }
  }

  /** A gauge or counter of the node's /metrics, without labels (or with the given label text); -1 when absent. */
  double metric(String name) {
    String metrics = admin("/metrics");
    if (metrics == null) {
      return -1;
    }
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  /** A GET on the HTTP API, status and body, or that it got no answer in time: for a failure's report. */
  String httpGet(String path) {
    HttpResponse<String> response = get(httpPort, path);
    return response == null ? "no answer within 6 s" : response.statusCode() + " " + response.body();
  }

  /**
   * What a failed test needs to say why, for this node: whether it runs, its readiness, its cluster metrics, and the
   * last lines of its log.
   */
  String diagnostics(int lastLines) {
    StringBuilder text = new StringBuilder("--- ").append(name).append(" (HTTP ").append(httpPort).append(", admin ")
        .append(adminPort).append("): ").append(process == null ? "never started"
            : process.isAlive() ? "running" : "exited with " + process.exitValue()).append('\n');
    if (isAlive()) {
      text.append("GET /health/ready: ").append(httpGet("/health/ready")).append('\n');
      String metrics = admin("/metrics");
      text.append("cluster metrics: ").append(metrics == null ? "no answer" : metrics.lines()
          .filter(line -> line.startsWith("events_processor_cluster_")).collect(java.util.stream.Collectors.joining(", ")))
          .append('\n');
    }
    List<String> lines = output();
    text.append("last ").append(Math.min(lastLines, lines.size())).append(" of ").append(lines.size())
        .append(" lines of its log:\n");
    lines.subList(Math.max(0, lines.size() - lastLines), lines.size()).forEach(line -> text.append("  ").append(line).append('\n'));
    return text.toString();
  }

  /** Waits until the node answers on its HTTP port and takes events (its readiness, through a harmless request). */
  JarNode awaitReady(Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
      try {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/event"))
            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"ping\", \"userId\": \"ready-check\", \"deviceId\": \"d\", "
                + "\"occurredAt\": \"2026-01-01T00:00:00Z\"}")).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 202 || response.statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
    return this;
  }
}
