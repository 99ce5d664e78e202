package io.eventsprocessor.replay;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A progress bar on a terminal: how far through the file, then through the replay, and how fast. */
final class Progress {
  private static final long EVERY_NANOS = 200_000_000;
  private static final int WIDTH = 30;

  private final PrintStream err;
  private final EventsFile file;
  private final long size;
  private String phase = "";
  private long phaseStarted;
  private long last;

  Progress(PrintStream err, Path path, EventsFile file) {
    this.err = err;
    this.file = file;
    long size;
    try {
      size = Files.size(path);
    } catch (Exception e) {
      size = 0;
    }
    this.size = size;
  }

  /** Called for each event read; draws at most five times a second. */
  void read(long events) {
    if (phase.isEmpty()) {
      phase = "reading ";
      phaseStarted = System.nanoTime();
    }
    if ((events & 0x3FF) == 0 && due()) {
      draw("reading ", size == 0 ? 0 : (double) file.bytesRead() / size, events);
    }
  }

  void applied(long events, long total) {
    if (!phase.equals("replaying")) {
      phase = "replaying";
      phaseStarted = System.nanoTime();
    }
    if (due()) {
      draw("replaying", (double) events / Math.max(total, 1), events);
    }
  }

  void done() {
    err.print("\r\033[K");
    err.flush();
  }

  private boolean due() {
    long now = System.nanoTime();
    if (now - last < EVERY_NANOS) {
      return false;
    }
    last = now;
    return true;
  }

  private void draw(String phase, double fraction, long events) {
    if (!phase.equals(this.phase)) {
      this.phase = phase;
      phaseStarted = System.nanoTime();
    }
    double f = Math.min(1, Math.max(0, fraction));
    int filled = (int) (f * WIDTH);
    double seconds = (System.nanoTime() - phaseStarted) / 1e9;
    err.printf("\r\033[K%s [%s%s] %3.0f%%  %,d events, %,.0f events/s", phase, "#".repeat(filled),
        " ".repeat(WIDTH - filled), f * 100, events, events / Math.max(seconds, 1e-9));
    err.flush();
  }
}
