package io.eventsprocessor;

import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.notify.OutboxRecords;
import io.eventsprocessor.rules.EventRecords;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RuleSet;
import io.eventsprocessor.rules.RulesVerticle;
import io.eventsprocessor.state.Journal;
import io.eventsprocessor.state.Snapshot;
import io.eventsprocessor.state.StateDir;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the state back at start, before anything runs: takes the state directory, loads the last snapshot into
 * the rules' engine (the users with their recent event ids) and the outbox, replays every journal record after it
 * exactly as it was applied live, and opens the journal for what comes next. Blocking; run off the event loop.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  /** What recovery gives the running service; the directory and the journal are closed at the last stop. */
  record Recovered(StateDir dir, Journal journal, long records) {}

  private Recovery() {}

  /**
   * @throws StateDir.StateDirException or {@link IllegalStateException} naming what cannot be used or read: the
   *                                    service refuses to start rather than forget what it holds
   */
  static Recovered run(Path path, Journal.Sync sync, Journal.SegmentOpener opener, RuleEngine engine,
      Outbox outbox, long now) throws IOException {
    StateDir dir = StateDir.open(path);
    try {
      Map<String, Integer> dropped = new HashMap<>();
      long position = Snapshot.read(dir.path(), (seq, type, payload) -> {
        switch (type) {
          case RulesVerticle.USER -> engine.restoreUser(payload, now, dropped);
          case RulesVerticle.OUTBOX -> outbox.load(new JsonObject(payload.toString(StandardCharsets.UTF_8)), now);
          default -> throw Snapshot.unreadable(Snapshot.path(dir.path()), "it holds a record of an unknown type "
              + type + ": it was written by a newer version, or it is damaged");
        }
      });
      RuleSet.logDropped(dropped);
      position = Math.max(position, 0);
      long[] records = {0};
      long last = Journal.replay(dir.path(), position, (seq, type, payload) -> {
        records[0]++;
        replay(type, payload, engine, outbox);
      });
      Journal journal = Journal.open(dir.path(), opener, sync, Journal.NOBODY, last + 1);
      LOG.info("state recovered from {}: {} user(s), {} queued notification(s), {} journal record(s) replayed",
          dir.path(), engine.users(), outbox.size(), records[0]);
      return new Recovered(dir, journal, records[0]);
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  private static void replay(byte type, io.netty.buffer.ByteBuf payload, RuleEngine engine, Outbox outbox) {
    if (type == EventRecords.EVENT) {
      // Applied exactly as it was live: the user's recent ids (in the snapshot's users, then rebuilt by this
      // replay) decide a duplicate here as they did then.
      EventRecords.Applied applied = EventRecords.readEvent(payload);
      offer(engine.apply(applied.event(), applied.realNow()).notifications(), outbox, applied.realNow());
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

  /** Saves the whole state at the journal's end, then drops the journal: the last stop's snapshot. */
  static void saveFinal(Path dir, Journal journal, RuleEngine engine, Outbox outbox) {
    long position = journal.nextSeq() - 1;
    journal.close();
    RulesVerticle.writeSnapshot(dir, journal.opener(), position, engine.snapshot(), outbox.toJson());
    try {
      journal.deleteSegmentsBefore(position + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete the journal's segments in " + dir + ": " + e, e);
    }
  }
}
