package io.eventsprocessor;

import io.eventsprocessor.service.ServiceConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.notify.Outbox;
import io.eventsprocessor.rules.EventRecords;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RulesVerticle;
import io.eventsprocessor.state.Journal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery puts back exactly what the acknowledged records did. */
class RecoveryTest {
  static final Instant AT = Instant.parse("2026-06-01T10:00:00Z");
  static final Outbox.Policy POLICY = new Outbox.Policy(10, Duration.ofHours(1), Duration.ofSeconds(1),
      Duration.ofSeconds(30), 100, 100);

  @TempDir Path dir;

  static RuleEngine standard() {
    return new RuleEngine(ServiceConfig.from(new io.vertx.core.json.JsonObject(), ServiceConfig.FAMILIES).families());
  }

  @Test
  void anEventReplayedFromTheJournalIsRememberedSoThatItsResendIsADuplicate() throws Exception {
    var start = new io.eventsprocessor.event.Event("s1", "training_program_started", "u", "d", AT, AT,
        Map.of("programId", "p"));
    long realNow = AT.toEpochMilli();
    RulesVerticle.writeSnapshot(dir, 0, standard().snapshot(), new Outbox(POLICY).toJson());
    try (Journal journal = Journal.open(dir, Journal.Sync.fsync, Journal.NOBODY, 1)) {
      journal.append(EventRecords.EVENT, EventRecords.event(start, realNow));
    }

    RuleEngine engine = standard();
    Recovery.Recovered recovered = Recovery.run(dir, Journal.Sync.fsync, Journal.SegmentOpener.FILES, engine,
        new Outbox(POLICY), realNow);
    recovered.journal().close();
    recovered.dir().close();

    assertThat(engine.hasUser("u")).isTrue();
    assertThat(engine.applied(start, realNow + 1_000)).isTrue();
  }

  @Test
  void aJournalSegmentThatCannotBeReadStopsTheStartNamingIt() throws Exception {
    // A directory where a segment should be: reading it fails with "Is a directory", which names no file.
    Path segment = java.nio.file.Files.createDirectory(dir.resolve("journal-00000000000000000001.log"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Recovery.run(dir, Journal.Sync.fsync,
            Journal.SegmentOpener.FILES, standard(), new Outbox(POLICY), AT.toEpochMilli()))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("cannot read the journal segment " + segment.toAbsolutePath())
        .hasMessageContaining("Is a directory");
  }
}
