package io.eventsprocessor;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.program.ProgramEvents;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds internal events for the rule tests: {@code TestEvents.of("foo1").at("16:23:25").started("2352")}. */
public final class TestEvents {
  private static final AtomicInteger IDS = new AtomicInteger();

  private final String userId;
  private final String deviceId;
  private final Instant at;
  private final String timeZone;
  private final String locale;

  private TestEvents(String userId, String deviceId, Instant at, String timeZone, String locale) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.at = at;
    this.timeZone = timeZone;
    this.locale = locale;
  }

  public static TestEvents of(String userId) {
    return new TestEvents(userId, "device-of-" + userId, Instant.parse("2021-02-28T00:00:00Z"), null, null);
  }

  /** Events that tell the user's time zone (an IANA id), as the app sends {@code timeZone}. */
  public TestEvents inZone(String zone) {
    return new TestEvents(userId, deviceId, at, zone, locale);
  }

  /** Events that tell the user's language (a BCP 47 tag), as the app sends {@code locale}. */
  public TestEvents speaking(String tag) {
    return new TestEvents(userId, deviceId, at, timeZone, tag);
  }

  /** A time on 2021-02-28 ("16:23:25"), or a full RFC 3339 instant. */
  public static Instant time(String time) {
    return Instant.parse(time.contains("T") ? time : "2021-02-28T" + time + "Z");
  }

  public TestEvents at(String time) {
    return new TestEvents(userId, deviceId, time(time), timeZone, locale);
  }

  public TestEvents at(Instant time) {
    return new TestEvents(userId, deviceId, time, timeZone, locale);
  }

  public TestEvents onDevice(String device) {
    return new TestEvents(userId, device, at, timeZone, locale);
  }

  public Event launch() {
    return event(ProgramEvents.APP_LAUNCH, Map.of());
  }

  /** The docs' example type (conf/example-rules.json), which no code knows. */
  public Event yogaStarted(String sessionId) {
    return event("yoga_session_started", Map.of("sessionId", sessionId));
  }

  public Event started(String programId) {
    return program(ProgramEvents.STARTED, programId);
  }

  public Event started(String programId, String title) {
    return event(ProgramEvents.STARTED, Map.of(ProgramEvents.PROGRAM_ID, programId, ProgramEvents.PROGRAM_TITLE, title));
  }

  public Event paused(String programId) {
    return program(ProgramEvents.PAUSED, programId);
  }

  public Event resumed(String programId) {
    return program(ProgramEvents.RESUMED, programId);
  }

  public Event finished(String programId) {
    return program(ProgramEvents.FINISHED, programId);
  }

  public Event cancelled(String programId) {
    return program(ProgramEvents.CANCELLED, programId);
  }

  public Event program(String type, String programId) {
    return event(type, Map.of(ProgramEvents.PROGRAM_ID, programId));
  }

  public Event event(String type, Map<String, Object> data) {
    return new Event("e" + IDS.incrementAndGet(), type, userId, deviceId, at, at, new HashMap<>(data), at, null,
        timeZone, locale);
  }
}
