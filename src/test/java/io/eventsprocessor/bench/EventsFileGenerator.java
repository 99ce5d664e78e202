package io.eventsprocessor.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

/**
 * Writes a file of events for the replay (README, "Replay"): users who launch the app, start a program some
 * minutes later (a reminder when it is more than 10) and finish it after 20 to 50 minutes (a congratulation past
 * 30), in the three formats in turn, one user after another (not in time order: the replay orders them).
 *
 * <pre>java -cp target/test-classes io.eventsprocessor.bench.EventsFileGenerator 1000000 events.ndjson</pre>
 */
public final class EventsFileGenerator {
  private static final DateTimeFormatter LEGACY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  public static void main(String[] args) throws IOException {
    int events = Integer.parseInt(args[0]);
    Path file = Path.of(args[1]);
    Random random = new Random(42);
    Instant day = Instant.parse("2026-03-01T00:00:00Z");
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      for (int user = 0; user * 3 < events; user++) {
        Instant launch = day.plusSeconds(random.nextInt(86_400));
        Instant start = launch.plusSeconds(60L * random.nextInt(20));
        Instant finish = start.plusSeconds(60L * (20 + random.nextInt(31)));
        String id = "user-" + user;
        out.write(event(user % 3, id, "app_launch", launch, null));
        out.write(event((user + 1) % 3, id, "training_program_started", start, "p" + user % 50));
        out.write(event((user + 2) % 3, id, "training_program_finished", finish, "p" + user % 50));
      }
    }
  }

  private static String event(int format, String user, String type, Instant at, String program) {
    return switch (format) {
      case 0 -> "{\"user_id\":\"" + user + "\",\"device_id\":\"d\",\"type\":\"" + type + "\",\"time_stamp\":\""
          + LEGACY.format(at) + "\"" + (program == null ? "" : ",\"training_program_id\":\"" + program
          + "\",\"training_program_title\":\"Program " + program + "\"") + "}\n";
      case 1 -> "{\"id\":\"" + user + "-" + type + "\",\"type\":\"" + type + "\",\"userId\":\"" + user
          + "\",\"deviceId\":\"d\",\"occurredAt\":\"" + at + "\"" + (program == null ? "" : ",\"data\":{\"programId\":\""
          + program + "\",\"programTitle\":\"Program " + program + "\"}") + "}\n";
      default -> "{\"specversion\":\"1.0\",\"id\":\"" + user + "-" + type + "\",\"source\":\"/apps/ios\",\"type\":\""
          + type + "\",\"time\":\"" + at + "\",\"subject\":\"" + user + "\",\"deviceid\":\"d\""
          + (program == null ? "" : ",\"data\":{\"programId\":\"" + program + "\"}") + "}\n";
    };
  }
}
