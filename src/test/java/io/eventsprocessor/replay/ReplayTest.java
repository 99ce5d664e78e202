package io.eventsprocessor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules over a file of events, in event time, with nothing sent and nothing kept. */
class ReplayTest {
  static final List<String> TASK_EVENTS = List.of("1-foo2-app-launch", "2-foo1-started", "3-foo2-started",
      "4-foo2-cancelled", "5-foo1-finished");
  static final String REMINDER = "2021-02-28T16:32:52Z training_reminder to user foo2: \"Ready when you are: start a "
      + "training program now, even a short one makes today count!\"";
  static final String CONGRATULATION = "2021-02-28T16:59:43Z training_congratulation to user foo1: \"Congratulations! "
      + "You trained for 36 minutes with 7 Minutes of HIIT Training today: that is your daily training dose done.\"";

  @TempDir Path dir;

  record Run(int exitCode, List<String> out, String err) {
    List<String> notifications() {
      return out.stream().filter(line -> line.matches("\\d{4}-.*")).toList();
    }
  }

  static Run replay(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Replay.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(code, Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n")),
        err.toString(StandardCharsets.UTF_8));
  }

  /** The task's events of one format, byte for byte but each on one line (their trailing commas kept). */
  static List<String> taskEvents(String format) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String event : TASK_EVENTS) {
      lines.add(Files.readString(Path.of("src/test/resources/examples", format, event + ".json")).replace('\n', ' '));
    }
    return lines;
  }

  Path file(String name, List<String> lines) throws IOException {
    return Files.write(dir.resolve(name), lines);
  }

  @Test
  void theTasksFiveExampleEventsGiveExactlyTheTwoNotifications() throws Exception {
    Run run = replay("--conf", "conf/config.json", file("events.ndjson", taskEvents("legacy")).toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.notifications()).containsExactly(REMINDER, CONGRATULATION);
    assertThat(run.out()).contains("events read: 5 (accepted 5, duplicates 0, of unsupported types 0, rejected 0)",
        "notifications: 2 (training_congratulation 1, training_reminder 1)");
  }

  @Test
  void anArrayOfEventsInAnyFormatMixedAndOutOfOrderIsReplayedInEventTime() throws Exception {
    List<String> improved = taskEvents("improved");
    List<String> legacy = taskEvents("legacy");
    // Newest first, the formats mixed: the launch as a CloudEvent, the rest legacy and improved.
    String cloudEventLaunch = "{\"specversion\": \"1.0\", \"id\": \"launch-1\", \"source\": \"/apps/ios\", "
        + "\"type\": \"app_launch\", \"time\": \"2021-02-28T16:22:52Z\", \"subject\": \"foo2\", \"deviceid\": \"bar2\"}";
    String array = "[" + String.join(",\n", improved.get(4), legacy.get(3), improved.get(2), legacy.get(1),
        cloudEventLaunch) + "]";
    Run run = replay(Files.writeString(dir.resolve("events.json"), array).toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.notifications()).as(String.join("\n", run.out())).containsExactly(REMINDER, CONGRATULATION);
  }

  @Test
  void ndjsonWhoseFirstLineIsABatchIsReadToTheEnd() throws Exception {
    List<String> improved = taskEvents("improved");
    Path events = file("batches.ndjson", List.of("[" + improved.get(0) + ", " + improved.get(1) + "]",
        "[" + improved.get(2) + "]", improved.get(3), improved.get(4)));
    Run run = replay(events.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("events read: 5 (accepted 5, duplicates 0, of unsupported types 0, rejected 0)");
    assertThat(run.notifications()).containsExactly(REMINDER, CONGRATULATION);
  }

  @Test
  void aSettingOverrideChangesTheResult() throws Exception {
    Path events = file("events.ndjson", taskEvents("legacy"));
    Run run = replay("--conf", "conf/config.json", "--set", "rules.congratulation.min=PT40M",
        events.toString());
    assertThat(run.notifications()).containsExactly(REMINDER);

    run = replay("--set", "rules.reminder.within=PT30M", "--set", "rules.congratulation.min=PT25M",
        events.toString());
    assertThat(run.notifications()).containsExactly(CONGRATULATION);
  }

  @Test
  void theSummarySaysWhatWasRejectedAndWhy() throws Exception {
    List<String> lines = new ArrayList<>(taskEvents("legacy"));
    lines.add(lines.get(0)); // a resend
    lines.add("{\"device_id\": \"bar9\", \"type\": \"app_launch\", \"time_stamp\": \"2021-02-28 17:00:00\"}");
    lines.add("{\"user_id\": \"foo9\", \"device_id\": \"bar9\", \"type\": \"app_launch\", \"time_stamp\": \"yesterday\"}");
    lines.add("{\"user_id\": \"foo9\", \"device_id\": \"bar9\", \"type\": \"app_launch\", \"time_stamp\": \"tomorrow\"}");
    lines.add("not json at all");
    lines.add("");
    lines.add("{\"userId\": \"foo9\", \"deviceId\": \"bar9\", \"type\": \"profile_viewed\", \"occurredAt\": \"2021-02-28T17:00:00Z\"}");
    Run run = replay(file("events.ndjson", lines).toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.notifications()).containsExactly(REMINDER, CONGRATULATION);
    assertThat(run.out()).contains("events read: 11 (accepted 5, duplicates 1, of unsupported types 1, rejected 4)",
        "  2 × time_stamp: must be a UTC time as \"yyyy-MM-dd HH:mm:ss\", e.g. \"2021-02-28 16:22:52\"",
        "  1 × user_id: is required",
        "  1 × $: is not valid JSON")
        .anySatisfy(line -> assertThat(line).startsWith("  line 7: user_id: is required"));
  }

  @Test
  void theShippedSampleFileIsTheTasksFiveEventsAndGivesTheTwoNotifications() throws Exception {
    // examples/events.ndjson is what the README replays: the task's events, one per line.
    List<String> sample = Files.readAllLines(Path.of("examples/events.ndjson"));
    List<String> task = taskEvents("legacy");
    assertThat(sample).hasSameSizeAs(task);
    com.fasterxml.jackson.databind.ObjectMapper json = io.eventsprocessor.ingest.JsonBody.mapper();
    for (int i = 0; i < task.size(); i++) {
      assertThat(json.readTree(sample.get(i))).as("line %d", i + 1).isEqualTo(json.readTree(task.get(i)));
    }
    Run run = replay("--conf", "conf/config.json", "examples/events.ndjson");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.notifications()).containsExactly(REMINDER, CONGRATULATION);
  }

  @Test
  void aFileOfWhichNothingIsAcceptedExitsNonZeroAndSaysWhyInItsOwnWords() throws Exception {
    // The newcomer's mistake: a pretty-printed event is not NDJSON, so each of its lines is rejected.
    Path pretty = Path.of("src/test/resources/examples/legacy/1-foo2-app-launch.json");
    Run run = replay(pretty.toString());
    assertThat(run.exitCode()).isEqualTo(Replay.EXIT_NOTHING_ACCEPTED);
    assertThat(run.err()).contains(pretty + ": no event was accepted");
    assertThat(run.out()).contains("events read: 6 (accepted 0, duplicates 0, of unsupported types 0, rejected 6)")
        .anySatisfy(line -> assertThat(line).startsWith("  line 1: $: is not valid JSON (Unexpected end-of-input"));
    assertThat(String.join("\n", run.out())).doesNotContain("REDACTED").doesNotContain("StreamReadFeature")
        .doesNotContain("Source:");

    run = replay(file("empty.ndjson", List.of()).toString());
    assertThat(run.exitCode()).isEqualTo(Replay.EXIT_NOTHING_ACCEPTED);
    assertThat(run.err()).contains("the file holds no event");
  }

  @Test
  void aWrongSettingStopsWithTheConfigsMessage() throws Exception {
    Path events = file("events.ndjson", taskEvents("legacy"));
    Run run = replay("--set", "rules.trainingCongratulation.minDuration=PT25M", events.toString());
    assertThat(run.exitCode()).isEqualTo(15);
    assertThat(run.err()).contains("rules.trainingCongratulation: renamed to rules.congratulation");

    run = replay("--set", "rules.congratulation.min=25 minutes", events.toString());
    assertThat(run.exitCode()).isEqualTo(15);
    assertThat(run.err()).contains("rules.congratulation.min: must be an ISO-8601 duration");
  }

  @Test
  void withoutAFileItSaysHowToUseIt() {
    Run run = replay();
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("usage: java -cp events-processor.jar io.eventsprocessor.replay.Replay");
    run = replay(dir.resolve("missing.ndjson").toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains(dir.resolve("missing.ndjson") + ": no such file");
  }

  /** Last week's traffic, as a product person would record it: a yoga session of 25 minutes, a program left paused. */
  static List<String> lastWeek() {
    return List.of(
        "{\"type\": \"yoga_session_started\", \"userId\": \"yogi\", \"deviceId\": \"d\", "
            + "\"occurredAt\": \"2026-11-30T07:00:00Z\", \"data\": {\"sessionId\": \"s1\", \"style\": \"hatha\"}}",
        "{\"type\": \"yoga_session_ended\", \"user_id\": \"yogi\", \"device_id\": \"d\", "
            + "\"time_stamp\": \"2026-11-30 07:25:00\", \"yoga_session_id\": \"s1\"}",
        "{\"type\": \"training_program_started\", \"userId\": \"pauser\", \"deviceId\": \"d\", "
            + "\"occurredAt\": \"2026-11-30T10:00:00Z\", \"data\": {\"programId\": \"p1\"}}",
        "{\"type\": \"training_program_paused\", \"userId\": \"pauser\", \"deviceId\": \"d\", "
            + "\"occurredAt\": \"2026-11-30T10:05:00Z\", \"data\": {\"programId\": \"p1\"}}");
  }

  @Test
  void aRulesFileIsTriedOnRecordedTrafficAndEachRuleSaysWhatItWouldHaveSent() throws Exception {
    Path events = file("last-week.ndjson", lastWeek());
    Run before = replay("--conf", "conf/config.json", events.toString());
    assertThat(before.out()).contains("events read: 4 (accepted 2, duplicates 0, of unsupported types 2, rejected 0)",
        "by rule:", "  congratulation (duration, training_congratulation): sent 0, deferred 0, capped 0, dropped 0, trained today 0", "  reminder (absence, training_reminder): sent 0, deferred 0, capped 0, dropped 0, trained today 0");
    assertThat(before.notifications()).isEmpty();

    Run tried = replay("--conf", "conf/config.json", "--rules", "conf/example-rules.json", events.toString());
    assertThat(tried.exitCode()).as(tried.err()).isZero();
    assertThat(tried.out()).contains("events read: 4 (accepted 4, duplicates 0, of unsupported types 0, rejected 0)",
        "  paused_nudge (absence, training_paused_nudge): sent 1, deferred 0, capped 0, dropped 0, trained today 0", "  yoga_congratulation (duration, yoga_congratulation): sent 1, deferred 0, capped 0, dropped 0, trained today 0");
    assertThat(tried.notifications()).containsExactly(
        "2026-11-30T07:25:00Z yoga_congratulation to user yogi: \"Namaste! 25 minutes of yoga today.\"",
        "2026-11-30T10:20:00Z training_paused_nudge to user pauser: \"Your training is paused: pick up where you left off!\"");

    // --set comes over the rules file: a stricter minimum leaves the 25 minutes without a word.
    Run stricter = replay("--rules", "conf/example-rules.json", "--set", "rules.yoga_congratulation.min=PT30M",
        events.toString());
    assertThat(stricter.out()).contains("  yoga_congratulation (duration, yoga_congratulation): sent 0, deferred 0, capped 0, dropped 0, trained today 0");
  }

  @Test
  void aRulesFileHoldsEventsAndRulesOnly() throws Exception {
    Path rules = Files.writeString(dir.resolve("rules.json"), "{\"rules\": {}, \"http\": {\"port\": 1}}");
    Run run = replay("--rules", rules.toString(), file("events.ndjson", lastWeek()).toString());
    assertThat(run.exitCode()).isEqualTo(15);
    assertThat(run.err()).contains("--rules " + rules + ": http: a rules file holds events and rules only");
    Run missing = replay("--rules", "no-such-rules.json", file("events.ndjson", lastWeek()).toString());
    assertThat(missing.exitCode()).isEqualTo(15);
    assertThat(missing.err()).contains("--rules no-such-rules.json: no such file");
  }

  /** A day of recorded traffic that the shipped caps and quiet hours act on (all times UTC, the default zone). */
  static List<String> aBusyDay() {
    List<String> lines = new java.util.ArrayList<>();
    for (int hour = 9; hour <= 14; hour++) {
      lines.add(event("app_launch", "opener", "2026-11-30T" + hour + ":00:00Z", null));
    }
    for (int hour : new int[] {8, 12, 18}) {
      lines.add(event("training_program_started", "athlete", "2026-11-30T" + hour + ":00:00Z", "p" + hour));
      lines.add(event("training_program_finished", "athlete", "2026-11-30T" + hour + ":35:00Z", "p" + hour));
    }
    lines.add(event("app_launch", "owl", "2026-11-30T23:50:00Z", null));
    lines.add(event("training_program_started", "night", "2026-11-30T23:00:00Z", "n"));
    lines.add(event("training_program_finished", "night", "2026-11-30T23:40:00Z", "n"));
    return lines;
  }

  static String event(String type, String user, String at, String program) {
    return "{\"type\": \"" + type + "\", \"userId\": \"" + user + "\", \"deviceId\": \"d\", \"occurredAt\": \""
        + at.replaceAll("T(\\d):", "T0$1:") + "\"" + (program == null ? "" : ", \"data\": {\"programId\": \"" + program + "\"}")
        + "}";
  }

  @Test
  void eachRuleSaysWhatItSentCappedDeferredAndDroppedSoACapIsTriedOnRecordedTrafficFirst() throws Exception {
    Path events = file("busy-day.ndjson", aBusyDay());
    Run shipped = replay("--conf", "conf/config.json", events.toString());
    assertThat(shipped.exitCode()).as(shipped.err()).isZero();
    assertThat(shipped.out()).contains(
        "  congratulation (duration, training_congratulation): sent 2, deferred 1, capped 2, dropped 0, trained today 0",
        "  reminder (absence, training_reminder): sent 1, deferred 0, capped 5, dropped 1, trained today 0");
    // The night owl's congratulation goes out when quiet hours end, in the order of time.
    assertThat(shipped.notifications()).contains(
        "2026-12-01T07:00:00Z training_congratulation to user night: \"Congratulations! You trained for 40 minutes today: "
            + "that is your daily training dose done.\"");

    Run twice = replay("--conf", "conf/config.json", "--set", "rules.reminder.cap.count=2", events.toString());
    assertThat(twice.out()).contains(
        "  reminder (absence, training_reminder): sent 2, deferred 0, capped 4, dropped 1, trained today 0");
  }
}
