package io.eventsprocessor.state;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how the service keeps its state.
 *
 * @param dir              the state directory: the journal, the snapshot, the lock
 * @param sync             how the journal makes an event durable before it is acknowledged
 * @param snapshotInterval how often a snapshot is saved while anything changed (it bounds the journal to replay)
 * @param journalMaxBytes  journal written since the last snapshot that triggers the next one sooner
 * @param maxUsers         users with state at most: an event that would add one more is refused (503)
 */
public record StateSettings(Path dir, Journal.Sync sync, Duration snapshotInterval, long journalMaxBytes,
    int maxUsers) {}
