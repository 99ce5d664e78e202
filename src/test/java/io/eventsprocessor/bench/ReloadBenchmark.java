package io.eventsprocessor.bench;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.service.ServiceConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * How long a reload of the rules holds the rules' thread: every user is moved to the new rule set (see
 * {@code RuleEngine.use}), and events wait meanwhile. Not a test: run it by hand and read the numbers.
 *
 * <pre>./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat target/cp.txt) io.eventsprocessor.bench.ReloadBenchmark</pre>
 */
public final class ReloadBenchmark {
  private ReloadBenchmark() {}

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.eventsprocessor"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    JsonObject examples = new JsonObject(Files.readString(Path.of("conf/example-rules.json")));
    RuleEngine engine = new RuleEngine(ServiceConfig.from(new JsonObject(), ServiceConfig.FAMILIES).ruleSet());
    Instant at = Instant.now();
    for (int i = 0; i < users; i++) {
      engine.apply(new Event(UUID.randomUUID().toString(), i % 2 == 0 ? "app_launch" : "training_program_started",
          "user-" + i, "device-" + i, at, at, i % 2 == 0 ? Map.of() : Map.of("programId", "p")), at.toEpochMilli());
    }
    JsonObject longer = examples.copy();
    longer.getJsonObject("rules").put("reminder", new JsonObject().put("within", "PT20M"));
    // Rules added (every user moves), a setting changed (nobody moves), rules removed (every user moves).
    Map<String, JsonObject> reloads = new java.util.LinkedHashMap<>();
    reloads.put("two rules added", examples);
    reloads.put("a setting changed", longer);
    reloads.put("two rules removed", new JsonObject());
    for (int round = 0; round < 2; round++) {
      for (Map.Entry<String, JsonObject> reload : reloads.entrySet()) {
        long started = System.nanoTime();
        engine.use(ServiceConfig.from(reload.getValue(), ServiceConfig.FAMILIES).ruleSet(), at.toEpochMilli());
        System.out.printf("%s, %,d users: %,d ms%n", reload.getKey(), engine.users(),
            (System.nanoTime() - started) / 1_000_000);
      }
    }
    System.exit(0);
  }
}
