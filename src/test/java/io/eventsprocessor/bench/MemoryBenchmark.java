package io.eventsprocessor.bench;

import io.eventsprocessor.shapes.ConfiguredRules;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.Zones;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.rules.RuleEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Heap cost of what the service keeps: users with a pending reminder (the rules' entries, user clocks and
 * wake-ups), and a full outbox. Not a test: run it by hand and read the numbers (see the README).
 *
 * <pre>./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx4g -cp target/classes:target/test-classes:$(cat target/cp.txt) io.eventsprocessor.bench.MemoryBenchmark</pre>
 */
public final class MemoryBenchmark {
  private MemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.eventsprocessor"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int notifications = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    reminders(users, null, null);
    reminders(users, "Europe/Berlin", "de-DE");
    training(users / 4);
    outbox(notifications);
    System.exit(0);
  }

  static long usedHeap() {
    for (int i = 0; i < 5; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /**
   * Users who opened the app and have a reminder pending, as the rules keep them; with a time zone and a language
   * their events told (decoded per event, as ingestion does), or none.
   */
  static void reminders(int users, String timeZone, String locale) {
    RuleEngine engine = new RuleEngine(List.of(ConfiguredRules.shipped("reminder")));
    long before = usedHeap();
    Instant at = Instant.now();
    for (int i = 0; i < users; i++) {
      Event launch = new Event(UUID.randomUUID().toString(), "app_launch", "user-" + i, "device-" + i, at, at, Map.of(),
          at, null, timeZone == null ? null : Zones.zone(new String(timeZone)),
          locale == null ? null : Zones.locale(new String(locale)));
      engine.apply(launch, at.toEpochMilli());
    }
    long after = usedHeap();
    System.out.printf("%,d users with a pending reminder%s: %,d MB of heap, %,d bytes per user%n", engine.users(),
        timeZone == null ? "" : " and a zone and language", (after - before) >> 20, (after - before) / users);
  }

  /** Users in the middle of a program (both families hold state: the session, and the program in progress). */
  static void training(int users) {
    RuleEngine engine = new RuleEngine(List.of(
        ConfiguredRules.shipped("reminder"), ConfiguredRules.shipped("congratulation")));
    long before = usedHeap();
    Instant at = Instant.now();
    for (int i = 0; i < users; i++) {
      Event start = new Event(UUID.randomUUID().toString(), "training_program_started", "user-" + i, "device-" + i,
          at, at, Map.of("programId", "2352", "programTitle", "7 Minutes of HIIT Training"));
      engine.apply(start, at.toEpochMilli());
    }
    long after = usedHeap();
    System.out.printf("%,d users in the middle of a program: %,d MB of heap, %,d bytes per user%n",
        engine.users(), (after - before) >> 20, (after - before) / users);
  }

  /** A full outbox: notifications queued for as many users, as the outbox keeps them. */
  static void outbox(int notifications) {
    Outbox outbox = new Outbox(new Outbox.Policy(10, Duration.ofHours(1), Duration.ofMillis(500), Duration.ofSeconds(30), 10_000, 100_000));
    long before = usedHeap();
    for (int i = 0; i < notifications; i++) {
      String userId = "user-" + i;
      outbox.offer(Notification.of("training_congratulation", userId, "device-" + i,
          "Congratulations! You trained for 36 minutes with 7 Minutes of HIIT Training today: that is your daily training dose done.",
          Map.of("minutes", 36L, "programId", "2352", "programTitle", "7 Minutes of HIIT Training"),
          UUID.randomUUID().toString()), 0);
    }
    long after = usedHeap();
    System.out.printf("%,d queued notifications: %,d MB of heap, %,d bytes per notification%n",
        outbox.size(), (after - before) >> 20, (after - before) / notifications);
  }
}
