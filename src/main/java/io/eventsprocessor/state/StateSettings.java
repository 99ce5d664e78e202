package io.eventsprocessor.state;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how often the stateful parts save what they hold.
 *
 * @param dir              the directory of the state files
 * @param snapshotInterval how often changed state is written while running; a crash loses at most this much
 */
public record StateSettings(Path dir, Duration snapshotInterval) {}
