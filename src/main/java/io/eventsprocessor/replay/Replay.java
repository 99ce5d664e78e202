package io.eventsprocessor.replay;

import ch.qos.logback.classic.Level;
import io.eventsprocessor.service.ServiceConfig;
import io.eventsprocessor.shapes.ShapedFamily;
import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.config.ConfigFile;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.event.Decoded;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventDecoder;
import io.eventsprocessor.event.FieldError;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RuleFamily;
import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.policy.Reason;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.time.DueTimer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured rules over a file of events, in event time, and prints what they would send: no HTTP, no
 * notification sent, no state directory. To try a setting on real traffic before changing it, or to see why a user
 * was (not) nudged.
 *
 * <pre>
 * java -cp target/events-processor.jar io.eventsprocessor.replay.Replay [--conf conf/config.json]
 *     [--rules rules.json] [--set rules.congratulation.min=PT25M ...] [--verbose] events.ndjson
 * </pre>
 *
 * <p>The events (NDJSON, or a JSON array; legacy, improved and CloudEvents, mixed) are decoded and checked as the
 * HTTP edge does, resends are answered as duplicates, then the valid ones are applied in the order of their time,
 * the file's order among equal times; a reminder falls due when event time reaches it, and once the file ends, time
 * runs on until nothing is pending. Each event's time is its own stamp: a file has no receive times, so
 * {@code sentAt} corrects nothing and nothing is clamped.
 */
public final class Replay {
  static final int EXIT_INPUT = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_CONFIG = 15;
  /** The file was read, and not one of its events was accepted. */
  static final int EXIT_NOTHING_ACCEPTED = 3;
  private static final String USAGE = "usage: java -cp events-processor.jar io.eventsprocessor.replay.Replay "
      + "[--conf config.json] [--rules rules.json] [--set key=value]... [--verbose] events.ndjson|events.json";
  /** What a rules file may hold: event types and rules, as the config's sections of those names. */
  private static final List<String> RULES_FILE_SECTIONS = List.of("events", "rules");
  private static final int REJECTIONS_SHOWN = 5;

  private Replay() {}

  public static void main(String[] args) {
    boolean verbose = List.of(args).contains("--verbose");
    // The rules log each decision: on a million events that is a million lines, and stdout is the report's.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.eventsprocessor"))
        .setLevel(verbose ? Level.INFO : Level.WARN);
    // Buffered: a replay may print hundreds of thousands of lines, and System.out flushes at each.
    PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
        false, StandardCharsets.UTF_8);
    int code = run(args, out, System.err, System.console() != null);
    out.flush();
    System.exit(code);
  }

  /**
   * @param progress whether to draw a progress bar on {@code err} (a terminal)
   * @return the exit code
   */
  static int run(String[] args, PrintStream out, PrintStream err, boolean progress) {
    String conf = null;
    String rules = null;
    JsonObject settings = new JsonObject();
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if ((arg.equals("--conf") || arg.equals("--rules") || arg.equals("--set")) && i + 1 < args.length) {
        String value = args[++i];
        if (arg.equals("--conf")) {
          conf = value;
        } else if (arg.equals("--rules")) {
          rules = value;
        } else if (!set(settings, value)) {
          err.println("--set " + value + ": expected key=value, e.g. rules.congratulation.min=PT25M");
          return EXIT_USAGE;
        }
      } else if (arg.equals("--verbose")) {
        continue;
      } else if (arg.startsWith("--") || file != null) {
        err.println(USAGE);
        return EXIT_USAGE;
      } else {
        file = Path.of(arg);
      }
    }
    if (file == null) {
      err.println(USAGE);
      return EXIT_USAGE;
    }

    ServiceConfig config;
    try {
      // As the service reads it: the file, then the environment's variables (secrets often come that way), then
      // the overrides of the command line.
      Map<String, String> environment = System.getenv();
      // A rules file comes over them, key by key, and the --set overrides over it.
      JsonObject merged = config(conf).mergeIn(ConfigLoader.fromEnvironment(environment), true);
      if (rules != null) {
        merged.mergeIn(rulesFile(rules), true);
      }
      config = ServiceConfig.from(merged.mergeIn(settings, true), ServiceConfig.FAMILIES,
          ConfigLoader.variables(environment));
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return EXIT_CONFIG;
    }

    Replayer replayer = new Replayer(config, out);
    EventsFile events = new EventsFile(file);
    Progress bar = progress ? new Progress(err, file, events) : null;
    long started = System.nanoTime();
    try (Pipeline pipeline = new Pipeline(replayer.decoder, decoded -> {
      replayer.take(decoded);
      if (bar != null) {
        bar.read(replayer.read);
      }
    })) {
      events.read(pipeline);
      pipeline.finish();
    } catch (NoSuchFileException e) {
      err.println(file + ": no such file");
      return EXIT_INPUT;
    } catch (IOException e) {
      err.println(file + ": cannot be read (" + e + ")");
      return EXIT_INPUT;
    }
    replayer.run(bar);
    if (bar != null) {
      bar.done();
    }
    replayer.summary(System.nanoTime() - started);
    out.flush();
    if (replayer.accepted() == 0) {
      // Most likely the wrong file, or a file of another shape (pretty-printed JSON is not NDJSON): not a success.
      err.println(file + ": no event was accepted (" + (replayer.read == 0 ? "the file holds no event"
          : "see the summary for why") + ")");
      return EXIT_NOTHING_ACCEPTED;
    }
    return 0;
  }

  /** The config file (or the defaults), read as strictly as the service reads its {@code -conf}. */
  private static JsonObject config(String conf) {
    return conf == null ? new JsonObject() : ConfigFile.read(conf);
  }

  /**
   * A rules file: the config's {@code events} and {@code rules} sections, and nothing else (conf/example-rules.json).
   *
   * @throws ConfigException naming the file and what is wrong with it
   */
  static JsonObject rulesFile(String path) {
    JsonObject json = ConfigFile.read("--rules", path);
    List<String> others = json.fieldNames().stream().filter(k -> !RULES_FILE_SECTIONS.contains(k)).sorted().toList();
    if (!others.isEmpty()) {
      throw new ConfigException(others.stream().map(k -> "--rules " + path + ": " + k
          + ": a rules file holds events and rules only; give other settings with --conf or --set").toList());
    }
    return json;
  }

  /** {@code a.b.c=value} into {@code {"a": {"b": {"c": "value"}}}}; the config reads numbers from strings too. */
  static boolean set(JsonObject settings, String assignment) {
    int equals = assignment.indexOf('=');
    if (equals <= 0) {
      return false;
    }
    String[] path = assignment.substring(0, equals).trim().split("\\.");
    JsonObject parent = settings;
    for (int i = 0; i < path.length - 1; i++) {
      if (!(parent.getValue(path[i]) instanceof JsonObject)) {
        parent.put(path[i], new JsonObject());
      }
      parent = parent.getJsonObject(path[i]);
    }
    parent.put(path[path.length - 1], assignment.substring(equals + 1));
    return true;
  }

  /** The events, decoded as read, then applied in event time; what the rules decided, printed as it is decided. */
  private static final class Replayer {
    final EventDecoder decoder;
    final RuleEngine engine;
    final PrintStream out;
    final List<Event> valid = new ArrayList<>();
    final Map<String, Integer> reasons = new TreeMap<>();
    final List<String> firstRejections = new ArrayList<>();
    final Map<String, Integer> notificationsByKind = new TreeMap<>();
    final List<RuleFamily<?>> families;
    long read;
    long rejected;
    long unsupported;
    long duplicate;
    Progress bar;

    Replayer(ServiceConfig config, PrintStream out) {
      List<RuleFamily<?>> families = config.families().stream().<RuleFamily<?>>map(RuleSet.Configured::family).toList();
      this.decoder = new EventDecoder(families.stream().flatMap(f -> f.schemas().stream()).toList(),
          config.app().ingest().futureMargin(), config.app().ingest().cloudEventsTypePrefix());
      // Resends are duplicates by the service's own rule (see RecentEvents), judged in event time as the rest.
      this.engine = new RuleEngine(config.ruleSet());
      this.families = config.ruleFamilies();
      this.out = out;
    }

    /** A document of the file, decoded, in the file's order. */
    void take(Decoding decoding) {
      read++;
      if (decoding.notJson() != null) {
        reject(decoding.line(), List.of(new FieldError(EventDecoder.BODY, "is not valid JSON")), decoding.notJson());
        return;
      }
      if (decoding.decoded() instanceof Decoded.Invalid invalid) {
        reject(decoding.line(), invalid.errors(), null);
        return;
      }
      Decoded.Valid ok = (Decoded.Valid) decoding.decoded();
      if (!ok.supported()) {
        unsupported++;
        return;
      }
      Event event = ok.event();
      valid.add(event);
    }

    void reject(long line, List<FieldError> errors, String detail) {
      rejected++;
      for (FieldError error : errors) {
        reasons.merge(error.field() + ": " + error.message(), 1, Integer::sum);
      }
      if (firstRejections.size() < REJECTIONS_SHOWN) {
        firstRejections.add("  line " + line + ": " + String.join("; ",
            errors.stream().map(error -> error.field() + ": " + error.message()).toList())
            + (detail == null ? "" : " (" + detail + ")"));
      }
    }

    /** Applies the events in event time (a stable sort keeps the file's order among equal times). */
    void run(Progress bar) {
      this.bar = bar;
      valid.sort(Comparator.comparing(Event::occurredAt));
      long applied = 0;
      if (bar != null) {
        bar.applied(0, valid.size());
      }
      for (Event event : valid) {
        long now = event.occurredAt().toEpochMilli();
        wakeUpUntil(now);
        RuleSet.Step step = engine.apply(event, now);
        if (step.reply() == Reply.DUPLICATE) {
          duplicate++;
        } else {
          print(now, step.notifications());
        }
        if (bar != null && (++applied & 0xFFF) == 0) {
          bar.applied(applied, valid.size());
        }
      }
      // The file ended: time runs on until nothing is pending (a reminder due after the last event is sent).
      wakeUpUntil(DueTimer.NEVER - 1);
    }

    /** Wakes every user due up to {@code until}, each at its own due time. */
    private void wakeUpUntil(long until) {
      for (long due = engine.nextWakeAt(); due != DueTimer.NEVER && due <= until; due = engine.nextWakeAt()) {
        print(due, engine.wakeUp(due));
      }
    }

    private void print(long at, List<Notification> notifications) {
      for (Notification n : notifications) {
        if (bar != null) {
          bar.done(); // the line goes above the bar, which the next update draws again
          out.flush();
        }
        notificationsByKind.merge(n.kind(), 1, Integer::sum);
        out.println(Instant.ofEpochMilli(at) + " " + n.kind() + " to user "
            + n.userId() + ": \"" + n.message() + "\"");
      }
    }

    long accepted() {
      return read - rejected - unsupported - duplicate;
    }

    void summary(long nanos) {
      long accepted = accepted();
      out.println();
      out.println("events read: " + read + " (accepted " + accepted + ", duplicates " + duplicate
          + ", of unsupported types " + unsupported + ", rejected " + rejected + ")");
      if (rejected > 0) {
        out.println("rejected, by reason:");
        reasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
            .forEach(reason -> out.println("  " + reason.getValue() + " × " + reason.getKey()));
        out.println("first rejected:");
        firstRejections.forEach(out::println);
      }
      int total = notificationsByKind.values().stream().mapToInt(Integer::intValue).sum();
      Map<String, Integer> kinds = new LinkedHashMap<>(notificationsByKind);
      out.println("notifications: " + total + (kinds.isEmpty() ? "" : " (" + String.join(", ",
          kinds.entrySet().stream().map(k -> k.getKey() + " " + k.getValue()).toList()) + ")"));
      out.println("by rule:");
      for (RuleFamily<?> family : families) {
        if (family instanceof ShapedFamily<?> shaped) {
          RuleSet.Family<?> counted = engine.families().stream().filter(f -> f.name().equals(family.name()))
              .findFirst().orElseThrow();
          out.println("  " + shaped.name() + " (" + shaped.shape() + ", " + shaped.notification() + "): sent "
              + notificationsByKind.getOrDefault(shaped.notification(), 0) + ", deferred " + counted.deferred()
              + ", capped " + (counted.suppressed(Reason.capped) + counted.suppressed(Reason.daily_limit))
              + ", dropped " + counted.suppressed(Reason.quiet_hours) + ", trained today "
              + counted.suppressed(Reason.trained_today));
        } else {
          out.println("  " + family.name() + " (a family written in Java)");
        }
      }
      double seconds = nanos / 1e9;
      out.printf("replayed in %.1f s, %,.0f events/s%n", seconds, read / Math.max(seconds, 1e-9));
    }
  }

  /** An event as resends are told apart: the same id from the same user. */

  /** A document of the file, decoded: the event or what is wrong; or, with {@code notJson}, not JSON at all. */
  record Decoding(long line, Decoded decoded, String notJson) {}

  /**
   * Parses and decodes on every core, in chunks, and hands the results back in the file's order: that is most of a
   * replay's work, and each document's is independent of the others'.
   */
  static final class Pipeline implements EventsFile.Reader, AutoCloseable {
    private static final int CHUNK = 2048;
    private final EventDecoder decoder;
    private final java.util.function.Consumer<Decoding> results;
    private final java.util.concurrent.ExecutorService workers;
    private final java.util.ArrayDeque<java.util.concurrent.Future<List<Decoding>>> inFlight =
        new java.util.ArrayDeque<>();
    private final int maxInFlight;
    private long[] lines = new long[CHUNK];
    private Object[] items = new Object[CHUNK];
    private int size;

    /** @param results called on the reading thread, in the file's order */
    Pipeline(EventDecoder decoder, java.util.function.Consumer<Decoding> results) {
      this.decoder = decoder;
      this.results = results;
      int threads = Runtime.getRuntime().availableProcessors();
      this.workers = java.util.concurrent.Executors.newFixedThreadPool(threads, task -> {
        Thread thread = new Thread(task, "replay-decoder");
        thread.setDaemon(true);
        return thread;
      });
      this.maxInFlight = 2 * threads;
    }

    @Override
    public void line(long line, String text) {
      add(line, text);
    }

    @Override
    public void document(long line, Object document) {
      add(line, document);
    }

    @Override
    public void notJson(long line, String message) {
      finish();
      results.accept(new Decoding(line, null, message));
    }

    private void add(long line, Object item) {
      lines[size] = line;
      items[size] = item;
      if (++size == CHUNK) {
        submit();
      }
    }

    private void submit() {
      long[] chunkLines = lines;
      Object[] chunk = items;
      int n = size;
      inFlight.add(workers.submit(() -> decode(chunkLines, chunk, n)));
      lines = new long[CHUNK];
      items = new Object[CHUNK];
      size = 0;
      while (inFlight.size() > maxInFlight) {
        take();
      }
    }

    /** Everything read so far, decoded and handed on. */
    void finish() {
      if (size > 0) {
        submit();
      }
      while (!inFlight.isEmpty()) {
        take();
      }
    }

    private void take() {
      try {
        inFlight.poll().get().forEach(results);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      }
    }

    private List<Decoding> decode(long[] chunkLines, Object[] chunk, int n) {
      List<Decoding> decoded = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (chunk[i] instanceof String text) {
          try {
            for (Object document : EventsFile.parse(text)) {
              decoded.add(new Decoding(chunkLines[i], decoder.decodeAsStamped(document), null));
            }
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            decoded.add(new Decoding(chunkLines[i], null, EventsFile.message(e)));
          }
        } else {
          decoded.add(new Decoding(chunkLines[i], decoder.decodeAsStamped(chunk[i]), null));
        }
      }
      return decoded;
    }

    @Override
    public void close() {
      workers.shutdownNow();
    }
  }
}
