package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay as the README runs it, from the shaded jar: the task's events give the two notifications, nothing but
 * the report is printed, and no state directory is made.
 */
class ReplayIT {
  @TempDir Path dir;

  @Test
  void theJarReplaysTheTasksEventsAndPrintsOnlyTheReport() throws Exception {
    List<String> events = new ArrayList<>();
    for (String event : ServiceEndToEndTest.TASK_EVENTS) {
      events.add(Files.readString(Path.of("src/test/resources/examples/legacy", event + ".json")).replace('\n', ' '));
    }
    Path file = Files.write(dir.resolve("events.ndjson"), events);
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", JarNode.JAR.toAbsolutePath().toString(), "io.eventsprocessor.replay.Replay",
        "--conf", Path.of("conf/config.json").toAbsolutePath().toString(), file.toString())
        .directory(dir.toFile()).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> output = List.of(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
        .split("\n"));

    assertThat(process.exitValue()).as(String.join("\n", output)).isZero();
    assertThat(output).filteredOn(line -> line.startsWith("2021-")).containsExactly(
        "2021-02-28T16:32:52Z training_reminder to user foo2: \"Ready when you are: start a training program now, even "
            + "a short one makes today count!\"",
        "2021-02-28T16:59:43Z training_congratulation to user foo1: \"Congratulations! You trained for 36 minutes with 7 "
            + "Minutes of HIIT Training today: that is your daily training dose done.\"");
    assertThat(output).contains("notifications: 2 (training_congratulation 1, training_reminder 1)");
    assertThat(output).as("no log lines").noneMatch(line -> line.contains(" INFO ") || line.contains("RuleSet"));
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
