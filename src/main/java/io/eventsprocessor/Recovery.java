package io.eventsprocessor;

import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.notify.OutboxRecords;
import io.eventsprocessor.rules.DuplicateFilter;
import io.eventsprocessor.rules.EventRecords;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RulesVerticle;
import io.eventsprocessor.state.Journal;
import io.eventsprocessor.state.Snapshot;
import io.eventsprocessor.state.StateDir;
import io.eventsprocessor.state.StateFile;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the state back at start, before anything runs: takes the state directory, loads the last snapshot into
 * the rules' engine, the duplicate memory and the outbox, replays every journal record after it exactly as it was
 * applied live, and opens the journal for what comes next. Blocking; run off the event loop.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  /** The state files of the version before the journal, by the rule family whose state each holds. */
  private static final Map<String, String> FORMER_FILES = Map.of("training", "congratulation", "reminder", "reminder");
  private static final String FORMER_OUTBOX = "outbox";

  /** What recovery gives the running service; the directory and the journal are closed at the last stop. */
  record Recovered(StateDir dir, Journal journal, long records) {}

  private Recovery() {}

  /**
   * @throws StateDir.StateDirException or {@link IllegalStateException} naming what cannot be used or read: the
   *                                    service refuses to start rather than forget what it holds
   */
  static Recovered run(Path path, Journal.Sync sync, Journal.SegmentOpener opener, RuleEngine engine,
      DuplicateFilter duplicates, Outbox outbox, long now) throws IOException {
    StateDir dir = StateDir.open(path);
    try {
      Map<String, Integer> dropped = new HashMap<>();
      long position = Snapshot.read(dir.path(), (seq, type, payload) -> {
        switch (type) {
          case RulesVerticle.USER -> engine.restoreUser(payload, now, dropped);
          case RulesVerticle.DUPLICATES -> duplicates.load(payload);
          case RulesVerticle.OUTBOX -> outbox.load(new JsonObject(payload.toString(StandardCharsets.UTF_8)), now);
          default -> throw Snapshot.unreadable(Snapshot.path(dir.path()), "it holds a record of an unknown type "
              + type + ": it was written by a newer version, or it is damaged");
        }
      });
      RuleSet.logDropped(dropped);
      boolean imported = false;
      if (position < 0) {
        position = 0;
        imported = importFormerFiles(dir.path(), engine, outbox, now);
      }
      long[] records = {0};
      long last = Journal.replay(dir.path(), position, (seq, type, payload) -> {
        records[0]++;
        replay(type, payload, engine, duplicates, outbox);
      });
      Journal journal = Journal.open(dir.path(), opener, sync, Journal.NOBODY, last + 1);
      if (imported) {
        saveImport(dir.path(), last, engine, duplicates, outbox);
      }
      LOG.info("state recovered from {}: {} user(s), {} queued notification(s), {} journal record(s) replayed",
          dir.path(), engine.users(), outbox.size(), records[0]);
      return new Recovered(dir, journal, records[0]);
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  private static void replay(byte type, io.netty.buffer.ByteBuf payload, RuleEngine engine,
      DuplicateFilter duplicates, Outbox outbox) {
    if (type == EventRecords.EVENT) {
      // Every record after the snapshot's position was applied live, so it is applied again here, whatever the
      // duplicate memory says: the snapshot reads that memory a moment after its users, so it may already hold
      // events whose effect only the journal has. (The journal never holds one event twice: a resend is answered
      // before it is appended.)
      EventRecords.Applied applied = EventRecords.readEvent(payload);
      offer(engine.apply(applied.event(), applied.realNow()), outbox, applied.realNow());
      duplicates.remember(DuplicateFilter.key(applied.event()), applied.realNow());
    } else if (type == EventRecords.WAKE_UP) {
      long realNow = EventRecords.readWakeUp(payload);
      offer(engine.wakeUp(realNow), outbox, realNow);
    } else if (OutboxRecords.isOutboxRecord(type)) {
      OutboxRecords.replay(type, payload, outbox);
    } else {
      throw new IllegalStateException("the journal holds a record of an unknown type " + type
          + ": it was written by a newer version, or it is damaged");
    }
  }

  /** Decided again by the replay: the outbox takes what it does not have yet, delivered or not. */
  private static void offer(List<Notification> notifications, Outbox outbox, long decidedAt) {
    notifications.forEach(n -> outbox.offer(n, decidedAt));
  }

  /**
   * The version before the journal saved each rule family's users and the outbox in files of their own
   * ({@code training.json}, {@code reminder.json}, {@code outbox.json}); they are loaded once, then kept aside as
   * {@code *.imported} once a snapshot holds them.
   */
  private static boolean importFormerFiles(Path dir, RuleEngine engine, Outbox outbox, long now) {
    JsonObject users = new JsonObject();
    boolean any = false;
    for (Map.Entry<String, String> former : FORMER_FILES.entrySet()) {
      JsonObject saved = new StateFile(dir, former.getKey()).read();
      if (saved == null) {
        continue;
      }
      any = true;
      saved.getJsonObject("users").forEach(field -> {
        JsonObject was = (JsonObject) field.getValue();
        JsonObject user = users.getJsonObject(field.getKey(), new JsonObject());
        JsonObject clock = user.getJsonObject("clock");
        // A user in both files: the clock of the later event (each file's clock stood at that family's last one).
        if (clock == null || clock.getLong("event") < was.getJsonObject("clock").getLong("event")) {
          user.put("clock", was.getJsonObject("clock"));
        }
        users.put(field.getKey(), user.put(former.getValue(), was.getJsonObject("state")));
      });
    }
    engine.restore(new JsonObject().put("users", users), now);
    JsonObject savedOutbox = new StateFile(dir, FORMER_OUTBOX).read();
    if (savedOutbox != null) {
      any = true;
      outbox.load(savedOutbox, now);
    }
    return any;
  }

  private static void saveImport(Path dir, long position, RuleEngine engine, DuplicateFilter duplicates,
      Outbox outbox) throws IOException {
    RulesVerticle.writeSnapshot(dir, position, engine.snapshot(), duplicates, outbox.toJson());
    for (String name : List.of("training", "reminder", FORMER_OUTBOX)) {
      Path file = new StateFile(dir, name).path();
      if (Files.exists(file)) {
        Files.move(file, file.resolveSibling(file.getFileName() + ".imported"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    LOG.info("state files of the former version imported into {}; the originals are kept as *.imported",
        Snapshot.path(dir));
  }

  /** Saves the whole state at the journal's end, then drops the journal: the last stop's snapshot. */
  static void saveFinal(Path dir, Journal journal, RuleEngine engine, DuplicateFilter duplicates, Outbox outbox) {
    long position = journal.nextSeq() - 1;
    journal.close();
    RulesVerticle.writeSnapshot(dir, journal.opener(), position, engine.snapshot(), duplicates, outbox.toJson());
    try {
      journal.deleteSegmentsBefore(position + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete the journal's segments in " + dir + ": " + e, e);
    }
  }
}
