package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.TestEvents;
import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.shapes.ConfiguredRules;
import io.eventsprocessor.time.DueTimer;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

public class RuleEngineTest {
  static final long REAL = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
  static final TestEvents FOO = TestEvents.of("foo");
  static final TestEvents BAR = TestEvents.of("bar");

  static <S> RuleSet.Configured<S> defaults(RuleFamily<S> family) {
    return new RuleSet.Configured<>(family, family.configure(ConfigReader.root(new JsonObject())));
  }

  static RuleEngine engine(RuleSet.Configured<?>... families) {
    return new RuleEngine(List.of(families));
  }

  /** The shipped rules, unguarded (see {@link io.eventsprocessor.Unguarded}): these tests are about the rules. */
  public static RuleEngine standard() {
    return new RuleEngine(rules(new JsonObject()));
  }

  @Test
  void anEventReachesEveryFamilyThatDeclaredItsTypeInOneStep() {
    RuleEngine engine = standard();
    engine.apply(FOO.at("10:00:00").launch(), REAL);
    engine.apply(FOO.at("10:01:00").started("p"), REAL + 60_000);
    List<Notification> sent = engine.apply(FOO.at("10:45:00").finished("p"), REAL + 45 * 60_000).notifications();

    assertThat(sent).singleElement().extracting(Notification::kind).isEqualTo("training_congratulation");
    // The start reached the reminder family too: the reminder was cancelled, no family has anything left, and the
    // user is kept only to remember its ids, until the first leaves the duplicate window.
    assertThat(engine.families()).allSatisfy(f -> assertThat(f.users()).isZero());
    assertThat(engine.nextWakeAt()).isEqualTo(REAL + Duration.ofHours(24).toMillis());
    assertThat(engine.wakeUp(REAL + Duration.ofHours(24).toMillis() + 45 * 60_000)).isEmpty();
    assertThat(engine.users()).isZero();
    assertThat(engine.nextWakeAt()).isEqualTo(DueTimer.NEVER);
  }

  @Test
  void aUserIsWokenOnceAtTheEarliestDueTimeOfItsFamiliesAndNotBefore() {
    RuleEngine engine = standard();
    engine.apply(FOO.at("10:00:00").launch(), REAL);
    assertThat(engine.nextWakeAt()).isEqualTo(REAL + Duration.ofMinutes(10).toMillis());

    assertThat(engine.wakeUp(REAL + Duration.ofMinutes(10).toMillis() - 1)).isEmpty();
    assertThat(engine.wakeUp(REAL + Duration.ofMinutes(10).toMillis()))
        .singleElement().extracting(Notification::kind).isEqualTo("training_reminder");
    assertThat(engine.wakeUp(REAL + Duration.ofHours(1).toMillis())).isEmpty();
    // Kept until its launch's id leaves the duplicate window, then forgotten.
    assertThat(engine.users()).isOne();
    assertThat(engine.wakeUp(REAL + Duration.ofHours(24).toMillis())).isEmpty();
    assertThat(engine.users()).isZero();
  }

  /** A family of one event type that throws where it is told to: on that type's events, or on every tick. */
  record Failing(String type, boolean inApply, boolean inTick) implements RuleFamily<Instant>, UserRules<Instant> {
    @Override
    public String name() {
      return "failing";
    }

    @Override
    public List<EventSchema> schemas() {
      return List.of(EventSchema.of(type));
    }

    @Override
    public UserRules<Instant> configure(ConfigReader settings) {
      return this;
    }

    @Override
    public StateCodec<Instant> codec() {
      return null;
    }

    @Override
    public Outcome<Instant> apply(Instant state, Event event) {
      if (inApply) {
        throw new IllegalStateException("a bug in the rule");
      }
      return Outcome.quiet(event.occurredAt(), "kept");
    }

    @Override
    public Outcome<Instant> tick(String userId, Instant state, Instant now) {
      if (inTick) {
        throw new IllegalStateException("a bug in the tick");
      }
      return Outcome.quiet(null, "done");
    }

    @Override
    public Instant nextDue(Instant state) {
      return state.plus(Duration.ofMinutes(1));
    }
  }

  static RuleEngine withFailing(Failing failing) {
    return engine(ConfiguredRules.shipped("reminder"), new RuleSet.Configured<>(failing, failing));
  }

  @Test
  void aRuleThatThrowsOnAnEventKeepsTheUsersStateInItsFamilyAndTheOtherFamiliesApplyIt() {
    RuleEngine engine = withFailing(new Failing("training_program_started", true, false));
    RuleSet.Family<?> failing = engine.families().get(1);

    engine.apply(FOO.at("10:00:00").launch(), REAL);
    assertThat(engine.apply(FOO.at("10:00:30").started("p"), REAL + 30_000).notifications()).isEmpty();

    assertThat(failing.failed()).isEqualTo(1);
    assertThat(failing.users()).isZero();
    assertThat(engine.applied()).isEqualTo(2);
    // The reminder family saw the start: no reminder at the due time.
    assertThat(engine.wakeUp(REAL + Duration.ofMinutes(10).toMillis())).isEmpty();
  }

  @Test
  void aTickThatThrowsIsCountedAndDoesNotStopTheOtherUsersWakeUps() {
    RuleEngine engine = withFailing(new Failing("workout_rated", false, true));
    RuleSet.Family<?> failing = engine.families().get(1);
    engine.apply(FOO.at("10:00:00").event("workout_rated", java.util.Map.of()), REAL);
    engine.apply(BAR.at("10:00:00").launch(), REAL);

    List<Notification> sent = new ArrayList<>();
    for (int i = 0; i < 10 && engine.nextWakeAt() != DueTimer.NEVER; i++) {
      sent.addAll(engine.wakeUp(engine.nextWakeAt()));
    }
    // foo was woken for the failing tick, and once more when its event's id left the duplicate window (the tick
    // failed again then), and is not woken again and again for it.
    assertThat(engine.nextWakeAt()).isEqualTo(DueTimer.NEVER);
    assertThat(failing.failed()).isEqualTo(2);
    assertThat(failing.users()).isEqualTo(1);
    assertThat(sent).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo("training_reminder");
      assertThat(n.userId()).isEqualTo("bar");
    });
  }

  /** The engine's snapshot records, as bytes, in the order written. */
  static List<byte[]> records(RuleEngine engine) {
    List<byte[]> records = new ArrayList<>();
    engine.snapshot().write(record -> records.add(ByteBufUtil.getBytes(record)));
    return records;
  }

  /** A snapshot's records loaded into a new engine of {@code families}. */
  static RuleEngine restored(RuleEngine engine, long realNow, RuleSet.Configured<?>... families) {
    RuleEngine restored = engine(families);
    records(engine).forEach(r -> restored.restoreUser(Unpooled.wrappedBuffer(r), realNow, new java.util.HashMap<>()));
    return restored;
  }

  @Test
  void whatIsSavedIsRestoredWithItsWakeUps() {
    RuleEngine engine = standard();
    engine.apply(FOO.at("10:00:00").launch(), REAL);
    engine.apply(BAR.at("09:00:00").started("p", "Yoga"), REAL);

    RuleEngine restored = restored(engine, REAL + 60_000, ConfiguredRules.shipped("congratulation"),
        ConfiguredRules.shipped("reminder"));
    assertThat(restored.users()).isEqualTo(2);
    assertThat(restored.nextWakeAt()).isEqualTo(engine.nextWakeAt());
    assertThat(restored.apply(BAR.at("09:40:00").finished("p"), REAL + 120_000).notifications()).singleElement()
        .satisfies(n -> assertThat(n.message()).contains("40 minutes with Yoga"));
  }

  @Test
  void aSnapshotHoldsTheUsersAsTheyWereWhenTakenWhileTheirEventsGoOn() {
    // A user's entry changes in place between snapshots, but not while a snapshot holds it.
    RuleEngine engine = standard();
    RuleEngine asTaken = standard();
    for (Event event : List.of(FOO.at("10:00:00").launch(), FOO.at("10:01:00").started("p"),
        BAR.at("10:00:00").launch())) {
      engine.apply(event, REAL);
      asTaken.apply(event, REAL);
    }
    RuleEngine.Snapshot snapshot = engine.snapshot();
    engine.apply(FOO.at("10:40:00").finished("p"), REAL + 1_000);
    engine.apply(BAR.at("10:02:00").started("q"), REAL + 1_000);
    for (int i = 0; i < 40; i++) {
      engine.apply(FOO.at(Instant.parse("2026-06-01T11:00:00Z").plusSeconds(i)).launch(), REAL + 2_000 + i);
    }
    engine.wakeUp(REAL + Duration.ofHours(1).toMillis());

    List<String> written = new ArrayList<>();
    snapshot.write(record -> written.add(ByteBufUtil.hexDump(record)));
    assertThat(written).isNotEqualTo(records(engine).stream().map(ByteBufUtil::hexDump).toList())
        .isEqualTo(records(asTaken).stream().map(ByteBufUtil::hexDump).toList());
  }

  @Test
  void aUsersStateOnceReadDoesNotChangeWithItsLaterEvents() {
    RuleEngine engine = standard();
    engine.apply(FOO.at("10:00:00").launch(), REAL);
    RuleSet.Step step = engine.apply(FOO.at("10:01:00").started("p"), REAL);
    RuleSet.UserState read = engine.user("foo");
    long[] recent = read.recent().clone();
    Object[] states = read.states().clone();
    long[] stepRecent = step.state().recent().clone();
    Object[] stepStates = step.state().states().clone();

    engine.apply(FOO.at("10:02:00").paused("p"), REAL + 1_000);
    engine.apply(FOO.at("10:03:00").resumed("p"), REAL + 2_000);
    engine.apply(FOO.at("10:04:00").launch(), REAL + 3_000);

    assertThat(engine.user("foo").recent()).hasSize(5);
    assertThat(read.recent()).containsExactly(recent);
    assertThat(read.states()).containsExactly(states);
    assertThat(step.state().recent()).containsExactly(stepRecent);
    assertThat(step.state().states()).containsExactly(stepStates);
  }

  @Test
  void stateOfAFamilyNoLongerRegisteredIsDroppedNotMisread() {
    RuleEngine engine = standard();
    engine.apply(FOO.at("10:00:00").launch(), REAL);
    engine.apply(FOO.at("10:00:00").started("p"), REAL);
    RuleEngine onlyCongratulation = restored(engine, REAL, ConfiguredRules.shipped("congratulation"));
    assertThat(onlyCongratulation.users()).isEqualTo(1);
    assertThat(onlyCongratulation.apply(FOO.at("10:40:00").finished("p"), REAL).notifications()).hasSize(1);
  }

  @Test
  void theSameEventsGiveTheSameNotificationIds() {
    List<Event> events = List.of(FOO.at("10:00:00").launch(), BAR.at("10:00:00").started("p"),
        FOO.at("10:20:00").started("q"), BAR.at("10:50:00").finished("p"));
    assertThat(ids(events)).hasSize(2).isEqualTo(ids(events));
  }

  static List<String> ids(List<Event> events) {
    RuleEngine engine = standard();
    List<String> ids = new ArrayList<>();
    for (Event e : events) {
      engine.apply(e, REAL).notifications().forEach(n -> ids.add(n.id()));
    }
    engine.wakeUp(REAL + Duration.ofHours(1).toMillis()).forEach(n -> ids.add(n.id()));
    return ids;
  }

  @Test
  void anEventOfATypeNoFamilyDeclaredChangesNothing() {
    RuleEngine engine = standard();
    assertThat(engine.apply(FOO.at("10:00:00").event("workout_rated", java.util.Map.of()), REAL).notifications()).isEmpty();
    assertThat(engine.users()).isZero();
  }

  /** The rules of the config, unguarded unless it says otherwise. */
  static RuleSet rules(JsonObject config) {
    JsonObject unguarded = new JsonObject().put("rules", io.eventsprocessor.Unguarded.rules()).mergeIn(config, true);
    return io.eventsprocessor.service.ServiceConfig.from(unguarded, io.eventsprocessor.service.ServiceConfig.FAMILIES)
        .ruleSet();
  }

  static JsonObject examples() throws java.io.IOException {
    return new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of("conf/example-rules.json")));
  }

  @Test
  void aReloadKeepsTheStateOfRulesThatStayRunsTheirNewSettingsAndDropsTheRest() throws Exception {
    RuleEngine engine = new RuleEngine(rules(examples()));
    engine.apply(FOO.at("10:00:00").launch(), REAL);
    engine.apply(BAR.at("10:00:00").yogaStarted("s1"), REAL);
    assertThat(engine.families()).extracting(f -> f.name() + " " + f.users())
        .containsExactly("congratulation 0", "reminder 1", "paused_nudge 0", "yoga_congratulation 1");

    // The reminder's window changes; the yoga rule goes.
    JsonObject next = examples();
    next.getJsonObject("rules").remove("yoga_congratulation");
    next.getJsonObject("rules").put("reminder", new JsonObject().put("within", "PT20M"));
    java.util.Map<String, Integer> dropped = engine.use(rules(next), REAL + 1);

    assertThat(dropped).containsExactly(java.util.Map.entry("yoga_congratulation", 1));
    assertThat(engine.families()).extracting(f -> f.name() + " " + f.users())
        .containsExactly("congratulation 0", "reminder 1", "paused_nudge 0");
    assertThat(engine.types()).doesNotContain("yoga_session_started", "yoga_session_ended");
    // What was armed keeps its due time: foo's reminder is still due ten minutes after the launch.
    assertThat(engine.nextWakeAt()).isEqualTo(REAL + Duration.ofMinutes(10).toMillis());
    assertThat(engine.wakeUp(REAL + Duration.ofMinutes(10).toMillis()))
        .singleElement().extracting(Notification::kind).isEqualTo("training_reminder");
    // What is armed from now on takes the new settings: twenty minutes.
    engine.apply(FOO.at("11:00:00").launch(), REAL + Duration.ofHours(1).toMillis());
    assertThat(engine.wakeUp(REAL + Duration.ofMinutes(79).toMillis())).isEmpty();
    assertThat(engine.wakeUp(REAL + Duration.ofMinutes(80).toMillis()))
        .singleElement().extracting(Notification::kind).isEqualTo("training_reminder");
  }

  @Test
  void aReloadThatChangesOnlySettingsKeepsEveryStateAndItsCount() throws Exception {
    RuleEngine engine = new RuleEngine(rules(examples()));
    engine.apply(FOO.at("10:00:00").launch(), REAL);
    JsonObject next = examples();
    next.getJsonObject("rules").put("reminder", new JsonObject().put("within", "PT20M"))
        .getJsonObject("yoga_congratulation").put("min", "PT5M");
    assertThat(engine.use(rules(next), REAL + 1)).isEmpty();
    assertThat(engine.families()).extracting(f -> f.name() + " " + f.users())
        .containsExactly("congratulation 0", "reminder 1", "paused_nudge 0", "yoga_congratulation 0");
    assertThat(engine.wakeUp(REAL + Duration.ofMinutes(10).toMillis()))
        .singleElement().extracting(Notification::kind).isEqualTo("training_reminder");
  }

  @Test
  void aRuleWhoseShapeTypesOrFieldsChangeLosesItsUsersState() throws Exception {
    RuleEngine engine = new RuleEngine(rules(examples()));
    engine.apply(BAR.at("10:00:00").yogaStarted("s1"), REAL);
    JsonObject next = examples();
    next.getJsonObject("rules").getJsonObject("yoga_congratulation").remove("session");
    assertThat(engine.use(rules(next), REAL)).containsExactly(java.util.Map.entry("yoga_congratulation", 1));
    assertThat(engine.users()).isOne(); // its event's id is still remembered
  }

  @Test
  void aSnapshotTakenBeforeAReloadIsWrittenUnderTheRulesItWasTakenWith() {
    RuleEngine engine = new RuleEngine(rules(new JsonObject()));
    engine.apply(FOO.at("10:00:00").launch(), REAL);
    RuleEngine.Snapshot before = engine.snapshot();
    engine.use(rules(new JsonObject().put("rules", new JsonObject().put("paused_nudge", new JsonObject()
        .put("kind", "absence").put("trigger", "training_program_paused").put("within", "PT15M")
        .put("cancelledBy", new io.vertx.core.json.JsonArray().add("training_program_resumed"))
        .put("notification", "paused").put("message", "Paused")))), REAL);
    List<io.netty.buffer.ByteBuf> records = new ArrayList<>();
    before.write(record -> records.add(record.copy()));

    RuleEngine restored = new RuleEngine(rules(new JsonObject()));
    java.util.Map<String, Integer> dropped = new java.util.HashMap<>();
    records.forEach(record -> restored.restoreUser(record, REAL, dropped));
    assertThat(dropped).isEmpty();
    assertThat(restored.nextWakeAt()).isEqualTo(REAL + Duration.ofMinutes(10).toMillis());
  }

  static Event told(Event event, String timeZone, String locale) {
    return new Event(event.id(), event.type(), event.userId(), event.deviceId(), event.occurredAt(),
        event.receivedAt(), event.data(), event.deviceOccurredAt(), event.sentAt(), timeZone, locale);
  }

  @Test
  void theLatestZoneAndLanguageAnEventToldAreTheUsersAndAreSavedWithIt() {
    RuleEngine engine = standard();
    engine.apply(told(FOO.at("10:00:00").launch(), "Europe/Berlin", "de-DE"), REAL);
    engine.apply(FOO.at("10:01:00").started("p"), REAL + 60_000); // tells nothing: both stay
    assertThat(engine.user("foo")).extracting(RuleSet.UserState::timeZone, RuleSet.UserState::locale)
        .containsExactly("Europe/Berlin", "de-DE");
    // Travel: the zone changes, the language stays.
    engine.apply(told(FOO.at("10:02:00").paused("p"), "America/New_York", null), REAL + 120_000);
    assertThat(engine.user("foo")).extracting(RuleSet.UserState::timeZone, RuleSet.UserState::locale)
        .containsExactly("America/New_York", "de-DE");
    assertThat(engine.rules().defaults().timeZoneOf(engine.user("foo"))).isEqualTo("America/New_York");
    assertThat(engine.rules().defaults().timeZoneOf(engine.user("nobody"))).isEqualTo("UTC");

    // Through a snapshot, and through the journal's record of an event.
    List<io.netty.buffer.ByteBuf> records = new ArrayList<>();
    engine.snapshot().write(record -> records.add(record.copy()));
    RuleEngine restored = standard();
    records.forEach(record -> restored.restoreUser(record, REAL, new java.util.HashMap<>()));
    assertThat(restored.user("foo")).extracting(RuleSet.UserState::timeZone, RuleSet.UserState::locale)
        .containsExactly("America/New_York", "de-DE");
    Event event = told(BAR.at("10:00:00").launch(), "+05:30", "hi-IN");
    assertThat(EventRecords.readEvent(EventRecords.event(event, REAL)).event()).isEqualTo(event);
  }
}
