package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands, run as a newcomer pastes them, against the built jar: a README that drifts from the code
 * fails the build. Covered: every shell block of README.md (the quick start, the walk-through, the replay) and the
 * three-node example of docs/cluster.md.
 *
 * <p>The convention the pages follow (README.md, "How the README is tested"): a fenced {@code sh} block is a command,
 * run with {@code bash -c} from the repository root; the fenced block right after it, if it is a {@code text} block,
 * is the command's standard output, line by line; if it is a {@code log} block, lines the service must log, in that
 * order, among its other lines (waited for, up to a deadline). In both, {@code …} stands for any text. A block that
 * starts the service (it runs {@code java … -jar}) runs in the background until the test ends; its output is "the
 * service's log" for the {@code log} blocks after it.
 *
 * <p>What the test adapts, and only this:
 * <ul>
 *   <li>{@code ./mvnw -B package -DskipTests && } before the run command is dropped, and {@code ./mvnw -B verify} is
 *       not run (checked to be exactly that): {@code verify} is what runs this test, after building the jar;</li>
 *   <li>the documented ports become free ones, in the commands and in the expected {@code log} lines (the machine
 *       may run other services on 8080); where the port comes from {@code conf/config.json} (the single node), it is
 *       given by the documented environment variables {@code HTTP_PORT}, {@code NOTIFY_SINK_PORT} and
 *       {@code ADMIN_PORT};</li>
 *   <li>the state goes to a temporary directory ({@code STATE_DIR}, or {@code data/} replaced by it), so that the
 *       walk-through starts clean and the repository stays clean;</li>
 *   <li>{@code java} is the JVM that runs the tests, first on the {@code PATH}.</li>
 * </ul>
 * It needs {@code bash} and {@code curl}, as the README does.
 */
class ReadmeIT {
  static final Pattern FENCE = Pattern.compile("(?ms)^```([a-z]*)\\n(.*?)^```\\n");
  static final String BUILD = "./mvnw -B package -DskipTests && ";
  /** {@code java … -jar …}: the service (the replay runs with {@code -cp}, and ends). */
  static final Pattern STARTS_THE_SERVICE = Pattern.compile("\\bjava\\b[^\\n]*\\s-jar\\s");
  /** The longest a command may take: the cluster's wait for readiness, on a busy 2-core machine. */
  static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(4);
  static final Duration LOG_DEADLINE = Duration.ofSeconds(90);

  @TempDir Path dir;
  final List<Service> services = new ArrayList<>();
  final Map<String, String> ports = new LinkedHashMap<>();

  record Block(String language, String text, int line) {}

  /** A command that does not end (the service, or several): its output so far. */
  record Service(Process process, List<String> output, String command) {}

  @AfterEach
  void stopServices() throws Exception {
    for (Service service : services) {
      List<ProcessHandle> all = new ArrayList<>(service.process().descendants().toList());
      all.forEach(ProcessHandle::destroy);
      service.process().destroy();
      for (ProcessHandle handle : all) {
        try {
          handle.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          handle.destroyForcibly();
        }
      }
      service.process().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theReadmesQuickStartWalkThroughAndReplayRunAsWritten() throws Exception {
    for (String port : List.of("8080", "8081", "8082")) {
      ports.put(port, String.valueOf(JarNode.freePort()));
    }
    Map<String, String> environment = Map.of("HTTP_PORT", ports.get("8080"), "NOTIFY_SINK_PORT", ports.get("8081"),
        "ADMIN_PORT", ports.get("8082"), "STATE_DIR", dir.resolve("data").toString());
    List<Block> blocks = blocks(Files.readString(Path.of("README.md")));
    assertThat(blocks).as("the README's commands").filteredOn(b -> b.language().equals("sh")).hasSizeGreaterThanOrEqualTo(6);
    run(blocks, "README.md", environment);
  }

  @Test
  void theThreeNodeClusterExampleWorksPastedAsItIs() throws Exception {
    for (String port : List.of("5701", "5702", "5703", "8080", "8180", "8280", "8090", "8190", "8290", "9081")) {
      ports.put(port, String.valueOf(JarNode.freePort()));
    }
    String page = Files.readString(Path.of("docs/cluster.md"));
    int start = page.indexOf("## Three nodes on one machine");
    String section = page.substring(start, page.indexOf("\n## ", start));
    List<Block> blocks = blocks(section);
    assertThat(blocks).as("the example's commands").filteredOn(b -> b.language().equals("sh")).hasSize(3);
    run(blocks, "docs/cluster.md", Map.of());
    // Every node starts without Hazelcast's CP Subsystem warning (the service uses no CP data structure).
    assertThat(services.get(0).output()).as("the nodes' output").isNotEmpty()
        .noneMatch(line -> line.contains("CP Subsystem is not enabled") || line.contains("UNSAFE mode"));
  }

  /** Runs each command of the page in order and checks what follows it. */
  private void run(List<Block> blocks, String page, Map<String, String> environment) throws Exception {
    for (int i = 0; i < blocks.size(); i++) {
      Block block = blocks.get(i);
      if (!block.language().equals("sh")) {
        continue;
      }
      Block next = i + 1 < blocks.size() ? blocks.get(i + 1) : null;
      Block expected = next != null && List.of("text", "log").contains(next.language()) ? next : null;
      String where = page + ", line " + block.line();
      String command = block.text().strip();
      if (command.equals("./mvnw -B verify")) {
        continue;
      }
      if (command.startsWith(BUILD)) {
        command = command.substring(BUILD.length());
      }
      command = adapt(command).replace("STATE_DIR=data/", "STATE_DIR=" + dir + "/");
      if (STARTS_THE_SERVICE.matcher(command).find()) {
        Service service = start(command, environment);
        services.add(service);
        if (expected != null) {
          assertThat(expected.language()).as(where + ": the output of a command that does not end is its log").isEqualTo("log");
        }
      } else if (expected == null || expected.language().equals("log")) {
        runToEnd(command, environment, where);
      } else {
        List<String> out = runToEnd(command, environment, where);
        List<String> lines = expected.text().lines().toList();
        assertThat(out).as(where + ": the output of\n" + command).hasSize(lines.size());
        for (int l = 0; l < lines.size(); l++) {
          assertThat(out.get(l)).as(where + ": line " + (l + 1) + " of the output of\n" + command).matches(pattern(lines.get(l)));
        }
      }
      if (expected != null && expected.language().equals("log")) {
        assertLogged(expected, page + ", line " + expected.line());
      }
    }
  }

  /** The documented ports, each replaced by its free port (a port is a number of its own, not part of another). */
  private String adapt(String text) {
    for (Map.Entry<String, String> port : ports.entrySet()) {
      text = text.replaceAll("(?<![0-9A-Za-z])" + port.getKey() + "(?![0-9A-Za-z])", port.getValue());
    }
    return text;
  }

  /** {@code …} is any text; everything else is literal. */
  private static String pattern(String expected) {
    return List.of(expected.split("…", -1)).stream().map(Pattern::quote).collect(Collectors.joining(".*"));
  }

  private ProcessBuilder bash(String command, Map<String, String> environment) {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", command);
    builder.environment().putAll(environment);
    builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator
        + System.getenv("PATH"));
    return builder;
  }

  private Service start(String command, Map<String, String> environment) throws IOException {
    // "wait": a block that starts its commands with & ends only when they do, so they stay this process's children.
    Process process = bash(command + "\nwait", environment).redirectErrorStream(true).start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(output::add);
      } catch (IOException e) {
        // the process ended
      }
    }, "readme-service-output");
    reader.setDaemon(true);
    reader.start();
    return new Service(process, output, command);
  }

  private List<String> runToEnd(String command, Map<String, String> environment, String where) throws Exception {
    Process process = bash(command, environment).start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      fail(where + ": did not end within " + COMMAND_TIMEOUT + ":\n" + command + "\n" + serviceLogs());
    }
    String stderr = err.get();
    assertThat(process.exitValue()).as(() -> where + ": exit code of\n" + command + "\nstderr: " + stderr + "\n"
        + serviceLogs()).isZero();
    return out.get().lines().toList();
  }

  private static String read(java.io.InputStream stream) {
    try {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The lines of a log block appear in the service's log, in this order, before the deadline. */
  private void assertLogged(Block expected, String where) {
    assertThat(services).as(where + ": a log block needs a service started before it").isNotEmpty();
    Service service = services.get(services.size() - 1);
    List<Pattern> lines = expected.text().lines().map(line -> Pattern.compile(pattern(adapt(line)))).toList();
    try {
      await().atMost(LOG_DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> inOrder(service.output(), lines));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      fail(where + ": the service did not log, in this order:\n" + adapt(expected.text()) + "\n" + serviceLogs());
    }
  }

  private static boolean inOrder(List<String> output, List<Pattern> lines) {
    int next = 0;
    for (String line : output) {
      if (next < lines.size() && lines.get(next).matcher(line).matches()) {
        next++;
      }
    }
    return next == lines.size();
  }

  private String serviceLogs() {
    StringBuilder text = new StringBuilder();
    for (Service service : services) {
      List<String> output = List.copyOf(service.output());
      text.append("--- the service's log (").append(service.command().lines().findFirst().orElse("")).append("), last 60 of ")
          .append(output.size()).append(" lines:\n");
      output.subList(Math.max(0, output.size() - 60), output.size()).forEach(line -> text.append(line).append('\n'));
    }
    return text.toString();
  }

  /** The fenced blocks of a page, in order, with their language and the line they start on. */
  static List<Block> blocks(String page) {
    List<Block> blocks = new ArrayList<>();
    Matcher fence = FENCE.matcher(page);
    while (fence.find()) {
      int line = (int) page.substring(0, fence.start()).lines().count() + 1;
      blocks.add(new Block(fence.group(1), fence.group(2), line));
    }
    return blocks;
  }
}
