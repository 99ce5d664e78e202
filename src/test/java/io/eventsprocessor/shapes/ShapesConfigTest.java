package io.eventsprocessor.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventsprocessor.config.ConfigException;
import io.eventsprocessor.event.DataField;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.service.ServiceConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A rule of the config that cannot run stops the service at start, naming its key and what is wrong. */
class ShapesConfigTest {

  static ServiceConfig config(JsonObject rules) {
    return ServiceConfig.from(new JsonObject().put("rules", rules), ServiceConfig.FAMILIES);
  }

  static JsonObject pausedNudge() {
    return new JsonObject().put("kind", "absence").put("notification", "training_paused_nudge")
        .put("trigger", "training_program_paused")
        .put("cancelledBy", new JsonArray().add("training_program_resumed").add("training_program_finished")
            .add("training_program_cancelled"))
        .put("match", "programId").put("within", "PT15M")
        .put("message", "Your training is paused: pick up where you left off!");
  }

  static JsonObject longRun() {
    return new JsonObject().put("kind", "duration").put("notification", "long_run")
        .put("start", "training_program_started").put("end", "training_program_finished").put("session", "programId")
        .put("min", "PT1H").put("message", "{minutes} minutes of {programId}!");
  }

  @Test
  void aRuleOfEachShapeRunsFromItsSectionBesideTheShippedOnes() {
    ServiceConfig config = config(new JsonObject().put("paused_nudge", pausedNudge()).put("long_run", longRun()));
    assertThat(config.ruleFamilies()).extracting(f -> f.name())
        .containsExactly("congratulation", "reminder", "paused_nudge", "long_run");
  }

  @Test
  void anUnknownShape() {
    assertThatThrownBy(() -> config(new JsonObject().put("streak", new JsonObject().put("kind", "streak"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rules.streak.kind: unknown shape: must be absence or duration, got \"streak\"");
  }

  @Test
  void aCancellingTypeThatIsAlsoTheTrigger() {
    JsonObject rule = pausedNudge().put("cancelledBy", new JsonArray().add("training_program_paused"));
    assertThatThrownBy(() -> config(new JsonObject().put("paused_nudge", rule)))
        .hasMessageContaining("rules.paused_nudge.cancelledBy: is also the trigger: a trigger cannot cancel itself, "
            + "got \"training_program_paused\"");
  }

  @Test
  void aPlaceholderThatIsNotDeclared() {
    assertThatThrownBy(() -> config(new JsonObject().put("long_run", longRun().put("message", "{minutes} of {style}"))))
        .hasMessageContaining("rules.long_run.message: unknown placeholder {style}; allowed: [{minutes}, {programId}, "
            + "{programTitle}]");
    assertThatThrownBy(() -> config(new JsonObject().put("paused_nudge", pausedNudge().put("message", "{launchedAt}"))))
        .hasMessageContaining("rules.paused_nudge.message: unknown placeholder {launchedAt}");
  }

  @Test
  void aPlaceholderAnEventMayLackNeedsAFallback() {
    assertThatThrownBy(() -> config(new JsonObject().put("long_run", longRun().put("message", "{programTitle}!"))))
        .hasMessageContaining("rules.long_run.message: uses {programTitle}, which an event may lack: give a "
            + "fallbackMessage without it");
  }

  @Test
  void aDurationOfZero() {
    assertThatThrownBy(() -> config(new JsonObject().put("long_run", longRun().put("min", "PT0S"))
        .put("paused_nudge", pausedNudge().put("within", "PT0M"))))
        .hasMessageContaining("rules.long_run.min: must be an ISO-8601 duration longer than zero")
        .hasMessageContaining("rules.paused_nudge.within: must be an ISO-8601 duration longer than zero");
  }

  @Test
  void twoRulesSendingTheSameNotificationKind() {
    assertThatThrownBy(() -> config(new JsonObject().put("long_run", longRun().put("notification", "training_congratulation"))))
        .hasMessageContaining("rules.long_run.notification: is also sent by rules.congratulation: each rule sends a "
            + "kind of its own");
  }

  @Test
  void aMessageTemplateThatDoesNotParse() {
    assertThatThrownBy(() -> config(new JsonObject().put("reminder", new JsonObject().put("message", "Start {now"))))
        .hasMessageContaining("rules.reminder.message: does not parse: the '{' at character 7 opens a placeholder "
            + "that is never closed");
    assertThatThrownBy(() -> config(new JsonObject().put("reminder", new JsonObject().put("message", "Start now}"))))
        .hasMessageContaining("rules.reminder.message: does not parse: the '}' at character 10 closes no {name} "
            + "placeholder");
  }

  @Test
  void theShippedRulesFormerKeysAreNamedWithTheirNewOnes() {
    assertThatThrownBy(() -> config(new JsonObject()
        .put("reminder", new JsonObject().put("delay", "PT5M").put("sessionExpiry", "PT1H"))
        .put("congratulation", new JsonObject().put("minDuration", "PT20M").put("messageWithoutTitle", "Well done"))))
        .hasMessageContaining("rules.reminder.delay: renamed to rules.reminder.within")
        .hasMessageContaining("rules.reminder.sessionExpiry: renamed to the sessionExpiry of the duration rule named "
            + "by rules.reminder.notDuring")
        .hasMessageContaining("rules.congratulation.minDuration: renamed to rules.congratulation.min")
        .hasMessageContaining("rules.congratulation.messageWithoutTitle: renamed to rules.congratulation.fallbackMessage");
  }

  @Test
  void typesAndFieldsARuleNamesMustBeKnown() {
    assertThatThrownBy(() -> config(new JsonObject()
        .put("long_run", longRun().put("end", "yoga_session_ended"))
        .put("paused_nudge", pausedNudge().put("match", "sessionId").put("notDuring", "long_run"))))
        .hasMessageContaining("rules.long_run.end: names an unknown event type; declare it under events, "
            + "got \"yoga_session_ended\"")
        .hasMessageContaining("rules.paused_nudge.match: is not a data field of training_program_paused");
    assertThatThrownBy(() -> config(new JsonObject().put("paused_nudge", pausedNudge().put("notDuring", "reminder"))))
        .hasMessageContaining("rules.paused_nudge.notDuring: must name a duration rule of this config, got \"reminder\"");
  }

  @Test
  void aRequiredKeyThatIsMissing() {
    assertThatThrownBy(() -> config(new JsonObject().put("paused_nudge", pausedNudge().copy().put("kind", "absence")
        .put("within", (Object) null))))
        .isInstanceOf(ConfigException.class);
    JsonObject noTrigger = pausedNudge();
    noTrigger.remove("trigger");
    assertThatThrownBy(() -> config(new JsonObject().put("paused_nudge", noTrigger)))
        .hasMessageContaining("rules.paused_nudge.trigger: is required");
  }

  /** The two example rules of the docs, as conf/example-rules.json declares them with their event types. */
  static JsonObject examples() throws java.io.IOException {
    return new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of("conf/example-rules.json")));
  }

  @Test
  void aRuleMayNameEventTypesThatTheConfigDeclares() throws Exception {
    ServiceConfig config = ServiceConfig.from(examples(), ServiceConfig.FAMILIES);
    assertThat(config.ruleFamilies()).extracting(f -> f.name())
        .containsExactly("congratulation", "reminder", "paused_nudge", "yoga_congratulation");
    assertThat(config.ruleFamilies().get(3).schemas()).containsExactly(
        EventSchema.of("yoga_session_started", DataField.required("sessionId", 128).legacy("yoga_session_id"),
            DataField.optional("style", 64)),
        EventSchema.of("yoga_session_ended", DataField.required("sessionId", 128).legacy("yoga_session_id")));
  }

  @Test
  void aDeclaredEventTypeIsCheckedKeyByKey() {
    JsonObject events = new JsonObject()
        .put("Yoga Started", new JsonObject())
        .put("yoga_session_started", new JsonObject().put("data", new JsonObject()
            .put("session id", new JsonObject())
            .put("sessionId", new JsonObject().put("required", "yes").put("maxLength", 0).put("legacy", "user_id"))
            .put("style", new JsonObject().put("legacy", "training_program_id").put("maxLenght", 64))))
        .put("yoga_session_ended", new JsonObject().put("fields", new JsonObject()));
    assertThatThrownBy(() -> ServiceConfig.from(new JsonObject().put("events", events), ServiceConfig.FAMILIES))
        .hasMessageContaining("events.Yoga Started: an event type is 1 to 64 lower-case letters")
        .hasMessageContaining("events.yoga_session_started.data.session id: a data field's name is 1 to 64 letters")
        .hasMessageContaining("events.yoga_session_started.data.sessionId.required: must be true or false")
        .hasMessageContaining("events.yoga_session_started.data.sessionId.maxLength: must be a whole number from 1 "
            + "to 1024, got 0")
        .hasMessageContaining("events.yoga_session_started.data.sessionId.legacy: is one of the legacy format's own "
            + "fields")
        .hasMessageContaining("events.yoga_session_started.data.style.legacy: already spells the data field "
            + "programId, got \"training_program_id\"")
        .hasMessageContaining("events.yoga_session_started.data.style.maxLenght: unknown key")
        .hasMessageContaining("events.yoga_session_ended.fields: unknown key");
  }

  @Test
  void theRulesDefaultsAreAZoneAndALanguageAndNoRuleIsCalledDefaults() {
    assertThat(config(new JsonObject()).ruleSet().defaults())
        .isEqualTo(io.eventsprocessor.rules.RuleDefaults.DEFAULT);
    assertThat(config(new JsonObject().put("defaults", new JsonObject().put("timeZone", "Europe/Vienna")
        .put("locale", "de-at"))).ruleSet().defaults())
        .isEqualTo(new io.eventsprocessor.rules.RuleDefaults("Europe/Vienna", "de-AT", 3,
            io.eventsprocessor.rules.RuleDefaults.DEFAULT.quietHours()));
    assertThatThrownBy(() -> config(new JsonObject().put("defaults", new JsonObject().put("timeZone", "Mars/Base")
        .put("locale", "--").put("kind", "absence"))))
        .hasMessageContaining("rules.defaults.timeZone: must be a time zone: an IANA id such as \"Europe/Berlin\"")
        .hasMessageContaining("rules.defaults.locale: must be a BCP 47 language tag")
        .hasMessageContaining("rules.defaults.kind: unknown key");
  }

  @Test
  void whatGuardsARuleIsCheckedKeyByKey() {
    assertThatThrownBy(() -> config(new JsonObject()
        .put("defaults", new JsonObject().put("maxPerDay", 0).put("quietHours", new JsonObject().put("from", "25:00")))
        .put("reminder", new JsonObject().put("cap", new JsonObject().put("count", 1).put("period", "P7D"))
            .put("quietHours", new JsonObject().put("action", "later")))
        .put("congratulation", new JsonObject().put("skipIfTrainedToday", true)
            .put("message", new JsonObject().put("en", "{minutes} minutes").put("--", "x").put("de", "{minuten}")))
        .put("paused_nudge", pausedNudge().put("skipIfTrainedToday", true))))
        .hasMessageContaining("rules.defaults.maxPerDay: must be a whole number from 1 to 1000, got 0")
        .hasMessageContaining("rules.defaults.quietHours.from: must be a local time such as \"22:00\", got \"25:00\"")
        .hasMessageContaining("rules.reminder.cap.period: must be P1D (the user's local day) or a rolling PT… duration")
        .hasMessageContaining("rules.reminder.quietHours.action: must be one of drop, defer, got \"later\"")
        .hasMessageContaining("rules.congratulation.skipIfTrainedToday: is for absence rules")
        .hasMessageContaining("rules.congratulation.message.--: is not a BCP 47 language tag")
        .hasMessageContaining("rules.congratulation.message.de: unknown placeholder {minuten}")
        .hasMessageContaining("rules.paused_nudge.skipIfTrainedToday: needs notDuring");
  }

  @Test
  void theShippedRulesAreGuardedAsDocumentedAndFalseTurnsAGuardOff() {
    ServiceConfig shipped = config(new JsonObject());
    io.eventsprocessor.policy.RulePolicy reminder = shipped.ruleFamilies().get(1).policy();
    assertThat(reminder.cap()).isEqualTo(io.eventsprocessor.policy.Cap.perDay(1));
    assertThat(reminder.quietHours().toString()).isEqualTo("22:00–07:00");
    assertThat(reminder.quietHours().action()).isEqualTo(io.eventsprocessor.policy.QuietHours.Action.drop);
    assertThat(reminder.trainingTypes()).containsExactlyInAnyOrder("training_program_started",
        "training_program_finished");
    io.eventsprocessor.policy.RulePolicy congratulation = shipped.ruleFamilies().get(0).policy();
    assertThat(congratulation.quietHours().action()).isEqualTo(io.eventsprocessor.policy.QuietHours.Action.defer);
    assertThat(congratulation.message().byLocale()).containsOnlyKeys("en", "de");
    // A rule of the config gets the default quiet hours, its shape's action, and no cap of its own.
    io.eventsprocessor.policy.RulePolicy nudge = config(new JsonObject().put("paused_nudge", pausedNudge()))
        .ruleFamilies().get(2).policy();
    assertThat(nudge.cap()).isNull();
    assertThat(nudge.quietHours().action()).isEqualTo(io.eventsprocessor.policy.QuietHours.Action.drop);

    ServiceConfig off = config(new JsonObject().put("defaults", new JsonObject().put("quietHours", false)
        .put("maxPerDay", false)).put("reminder", new JsonObject().put("cap", false)));
    assertThat(off.ruleSet().defaults().maxPerDay()).isZero();
    assertThat(off.ruleFamilies().get(1).policy().cap()).isNull();
    assertThat(off.ruleFamilies().get(1).policy().quietHours()).isNull();
  }
}
