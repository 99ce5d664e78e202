package io.eventsprocessor.shapes;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.event.DataField;
import io.eventsprocessor.event.EventSchema;
import io.eventsprocessor.event.Zones;
import io.eventsprocessor.notify.MessageTemplate;
import io.eventsprocessor.notify.Messages;
import io.eventsprocessor.policy.QuietHours;
import io.eventsprocessor.rules.RuleDefaults;
import io.eventsprocessor.rules.RuleFamily;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of the config's {@code rules} section that have a {@code kind}: each one a {@link ShapedFamily} of the
 * {@code absence} or {@code duration} shape, its name the section's key. The whole section is read at once (an
 * absence rule may wait out the sessions of a duration rule), and checked as a whole: every wrong key is reported by
 * its full name, and the service does not start.
 *
 * <p>The shipped rules ({@code reminder}, {@code congratulation}) are rules like any other: their sections are the
 * defaults in {@code shipped-rules.json}, and a section of the same name in the config overrides the keys it gives.
 */
public final class Shapes {
  public static final String ABSENCE = "absence";
  public static final String DURATION = "duration";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final String MINUTES = "minutes";

  /** The shipped rules' sections, by name, in the order they run. */
  public static final JsonObject SHIPPED = load("/shipped-rules.json");

  private Shapes() {}

  /**
   * The rules section with the shipped rules' sections under it: a shipped rule the config does not name is added
   * as shipped; one it names with the same kind (or none) has the config's keys over the shipped ones. The shipped
   * rules come first, in their order, then the config's others in its order.
   *
   * @param rules the config's rules section, or null when it has none
   */
  public static Object withShipped(Object rules) {
    if (rules != null && !(rules instanceof JsonObject)) {
      return rules; // reported as it is
    }
    JsonObject given = rules == null ? new JsonObject() : (JsonObject) rules;
    JsonObject merged = new JsonObject();
    for (String name : SHIPPED.fieldNames()) {
      JsonObject shipped = SHIPPED.getJsonObject(name).copy();
      Object own = given.getValue(name);
      if (own == null && !given.containsKey(name)) {
        merged.put(name, shipped);
      } else if (own instanceof JsonObject section
          && (section.getValue("kind") == null || shipped.getValue("kind").equals(section.getValue("kind")))) {
        merged.put(name, shipped.mergeIn(section));
      } else {
        merged.put(name, own);
      }
    }
    given.forEach(entry -> {
      if (!merged.containsKey(entry.getKey())) {
        merged.put(entry.getKey(), entry.getValue());
      }
    });
    return merged;
  }

  /**
   * Reads the rules named {@code names} from the section, each a shape's.
   *
   * @param types    every event type a rule may name, with its data fields
   * @param defaults what holds for every rule that does not say otherwise (quiet hours, the default language)
   */
  public static List<RuleFamily<?>> read(ConfigReader rules, List<String> names, Map<String, EventSchema> types,
      RuleDefaults defaults) {
    Map<String, Spec> specs = new LinkedHashMap<>();
    for (String name : names) {
      ConfigReader section = rules.object(name);
      if (!section.has("kind")) {
        rules.problem(name, "unknown key: no rule family has this name, and a rule of the config needs a \"kind\" ("
            + ABSENCE + " or " + DURATION + ")");
        section.skip();
        continue;
      }
      if (!NAME.matcher(name).matches()) {
        rules.problem(name, "a rule's name must be lower-case letters, digits and underscores");
      }
      String kind = section.string("kind", "");
      if (DURATION.equals(kind)) {
        specs.put(name, DurationSpec.read(name, section, types, defaults));
      } else if (ABSENCE.equals(kind)) {
        specs.put(name, AbsenceSpec.read(name, section, types, defaults));
      } else {
        section.problem("kind", "unknown shape: must be " + ABSENCE + " or " + DURATION, kind);
        section.skip();
      }
    }
    Map<String, String> senders = new HashMap<>();
    List<RuleFamily<?>> families = new ArrayList<>();
    for (Spec spec : specs.values()) {
      if (spec.notification() != null) {
        String first = senders.putIfAbsent(spec.notification(), spec.name());
        if (first != null) {
          spec.section().problem("notification", "is also sent by rules." + first + ": each rule sends a kind of "
              + "its own, so that receivers can tell them apart", spec.notification());
        }
      }
      RuleFamily<?> family = spec.family(specs, types);
      if (family != null) {
        families.add(family);
      }
      spec.section().done();
    }
    return families;
  }

  /** A rule's section as read, before the rules it refers to are known. */
  private interface Spec {
    String name();

    ConfigReader section();

    String notification();

    /** The family, or null when a problem was reported (the service will not start). */
    RuleFamily<?> family(Map<String, Spec> all, Map<String, EventSchema> types);
  }

  private record DurationSpec(String name, ConfigReader section, String notification, String start, String end,
      String pause, String resume, String abort, String session, Duration min, Duration sessionExpiry,
      List<String> fields, Messages message, Messages fallbackMessage, PolicyKeys policy, boolean complete)
      implements Spec {

    static DurationSpec read(String name, ConfigReader section, Map<String, EventSchema> types,
        RuleDefaults defaults) {
      section.renamed("minDuration", section.name("min"));
      section.renamed("messageWithoutTitle", section.name("fallbackMessage"));
      String notification = section.requiredString("notification");
      String start = type(section, "start", true, types);
      String end = type(section, "end", true, types);
      String pause = type(section, "pause", false, types);
      String resume = type(section, "resume", false, types);
      String abort = type(section, "abort", false, types);
      if (section.has("pause") != section.has("resume")) {
        String missing = section.has("pause") ? "resume" : "pause";
        section.problem(missing, "is required with " + (section.has("pause") ? "pause" : "resume"));
      }
      distinct(section, new String[] {"start", "end", "pause", "resume", "abort"},
          new String[] {start, end, pause, resume, abort});
      String session = section.has("session") ? section.string("session", null) : null;
      if (session != null) {
        for (String type : new String[] {start, end, pause, resume, abort}) {
          if (type != null && field(types.get(type), session) == null) {
            section.problem("session", "is not a data field of " + type, session);
          }
        }
      }
      Duration min = section.positiveDuration("min", null);
      Duration expiry = section.positiveDuration("sessionExpiry", Duration.ofHours(12));
      // The start's and the end's data fields, kept from the start and sent with the notification.
      Set<String> fields = new LinkedHashSet<>();
      Set<String> guaranteed = new LinkedHashSet<>(List.of(MINUTES));
      if (session != null) {
        guaranteed.add(session);
      }
      for (String type : new String[] {start, end}) {
        if (type != null) {
          for (DataField field : types.get(type).data()) {
            if (!field.name().equals(session)) {
              fields.add(field.name());
              if (field.required()) {
                guaranteed.add(field.name());
              }
            }
          }
        }
      }
      Set<String> allowed = new LinkedHashSet<>(guaranteed);
      allowed.addAll(fields);
      Messages message = messages(section, "message", allowed, defaults.locale());
      Messages fallback = section.has("fallbackMessage")
          ? messages(section, "fallbackMessage", guaranteed, defaults.locale()) : null;
      if (message != null && fallback == null && !section.has("fallbackMessage")) {
        message.placeholders().stream().filter(p -> !guaranteed.contains(p)).findFirst().ifPresent(p ->
            section.problem("message", "uses {" + p + "}, which an event may lack: give a fallbackMessage without it"));
      }
      boolean complete = notification != null && start != null && end != null && min != null && message != null
          && (fallback != null || !section.has("fallbackMessage"));
      PolicyKeys policy = PolicyKeys.read(section, defaults, QuietHours.Action.defer);
      if (policy.skipIfTrainedToday()) {
        section.problem("skipIfTrainedToday", "is for absence rules: a duration rule's notification is the training");
      }
      return new DurationSpec(name, section, notification, start, end, pause, resume, abort, session, min, expiry,
          List.copyOf(fields), message, fallback, policy, complete);
    }

    @Override
    public RuleFamily<?> family(Map<String, Spec> all, Map<String, EventSchema> types) {
      if (!complete) {
        return null;
      }
      TypeRoles roles = TypeRoles.builder().add(start, DurationRules.START).add(end, DurationRules.END)
          .add(pause, DurationRules.PAUSE).add(resume, DurationRules.RESUME).add(abort, DurationRules.ABORT).build();
      DurationRules rules = new DurationRules(new DurationRules.Settings(notification, roles, session, fields, min,
          sessionExpiry, message.standard(), fallbackMessage == null ? null : fallbackMessage.standard()));
      return new ShapedFamily<>(name, DURATION, notification, schemas(types, start, end, pause, resume, abort),
          layout(), rules, new DurationStateCodec(), policy.policy(Set.of(), message, fallbackMessage));
    }

    /** What its users' state means: the types and fields that make a session (see {@link RuleFamily#layout}). */
    String layout() {
      return String.join(" ", DURATION, "start=" + start, "end=" + end, "pause=" + pause, "resume=" + resume,
          "abort=" + abort, "session=" + session, "fields=" + fields);
    }

    List<String> types() {
      return java.util.stream.Stream.of(start, end, pause, resume, abort).filter(Objects::nonNull).toList();
    }
  }

  /** What a second trigger does while one is pending. */
  enum SecondTrigger { keep, restart }

  private record AbsenceSpec(String name, ConfigReader section, String notification, String trigger,
      List<String> cancelledBy, String match, Duration within, boolean restart, String notDuring,
      String triggeredAtField, List<String> fields, Messages message, PolicyKeys policy, boolean complete)
      implements Spec {

    static AbsenceSpec read(String name, ConfigReader section, Map<String, EventSchema> types,
        RuleDefaults defaults) {
      section.renamed("delay", section.name("within"));
      String notification = section.requiredString("notification");
      String trigger = type(section, "trigger", true, types);
      List<String> cancelledBy = new ArrayList<>();
      if (!section.has("cancelledBy")) {
        section.problem("cancelledBy", "is required: the event types that cancel what the trigger armed");
      }
      for (String type : section.strings("cancelledBy")) {
        if (!types.containsKey(type)) {
          section.problem("cancelledBy", "names an unknown event type; declare it under events", type);
        } else if (type.equals(trigger)) {
          section.problem("cancelledBy", "is also the trigger: a trigger cannot cancel itself", type);
        } else {
          cancelledBy.add(type);
        }
      }
      if (section.has("cancelledBy") && section.strings("cancelledBy").isEmpty()) {
        section.problem("cancelledBy", "must name at least one event type");
      }
      String match = section.has("match") ? section.string("match", null) : null;
      if (match != null) {
        for (String type : java.util.stream.Stream.concat(java.util.stream.Stream.ofNullable(trigger),
            cancelledBy.stream()).toList()) {
          if (field(types.get(type), match) == null) {
            section.problem("match", "is not a data field of " + type, match);
          }
        }
      }
      Duration within = section.positiveDuration("within", null);
      boolean restart = section.choice("secondTrigger", SecondTrigger.keep) == SecondTrigger.restart;
      String notDuring = section.has("notDuring") ? section.string("notDuring", null) : null;
      if (section.has("sessionExpiry")) {
        section.renamed("sessionExpiry", "the sessionExpiry of the duration rule named by " + section.name("notDuring"));
      }
      String triggeredAtField = section.string("triggeredAtField", "triggeredAt");
      List<String> fields = trigger == null ? List.of()
          : types.get(trigger).data().stream().map(DataField::name).toList();
      Set<String> allowed = new LinkedHashSet<>(List.of(MINUTES));
      allowed.addAll(fields);
      Messages message = messages(section, "message", allowed, defaults.locale());
      PolicyKeys policy = PolicyKeys.read(section, defaults, QuietHours.Action.drop);
      if (policy.skipIfTrainedToday() && notDuring == null) {
        section.problem("skipIfTrainedToday", "needs notDuring: the duration rule whose sessions are the training");
      }
      boolean complete = notification != null && trigger != null && within != null && message != null
          && (notDuring == null || !notDuring.isBlank());
      return new AbsenceSpec(name, section, notification, trigger, List.copyOf(cancelledBy), match, within, restart,
          notDuring, triggeredAtField, fields, message, policy, complete);
    }

    @Override
    public RuleFamily<?> family(Map<String, Spec> all, Map<String, EventSchema> types) {
      DurationSpec waited = null;
      if (notDuring != null) {
        if (all.get(notDuring) instanceof DurationSpec d) {
          waited = d;
        } else {
          section.problem("notDuring", "must name a duration rule of this config", notDuring);
          return null;
        }
      }
      if (!complete || (waited != null && !waited.complete())) {
        return null;
      }
      TypeRoles.Builder roles = TypeRoles.builder().add(trigger, AbsenceRules.TRIGGER);
      cancelledBy.forEach(type -> roles.add(type, AbsenceRules.CANCEL));
      List<String> named = new ArrayList<>();
      named.add(trigger);
      named.addAll(cancelledBy);
      if (waited != null) {
        roles.add(waited.start(), AbsenceRules.SESSION_START)
            .add(waited.pause(), AbsenceRules.SESSION_ACTIVITY).add(waited.resume(), AbsenceRules.SESSION_ACTIVITY)
            .add(waited.end(), AbsenceRules.SESSION_END).add(waited.abort(), AbsenceRules.SESSION_END);
        named.addAll(waited.types());
      }
      AbsenceRules rules = new AbsenceRules(new AbsenceRules.Settings(notification, roles.build(), fields,
          match == null ? -1 : fields.indexOf(match), within, restart, waited == null ? null : waited.session(),
          waited == null ? null : waited.sessionExpiry(), triggeredAtField, message.standard()));
      String layout = String.join(" ", ABSENCE, "trigger=" + trigger, "cancelledBy=" + cancelledBy, "match=" + match,
          "notDuring=" + (waited == null ? null : waited.layout()), "fields=" + fields);
      Set<String> training = waited == null ? Set.of() : Set.of(waited.start(), waited.end());
      return new ShapedFamily<>(name, ABSENCE, notification, schemas(types, named.toArray(String[]::new)), layout,
          rules, new AbsenceStateCodec(), policy.policy(training, message, null));
    }
  }

  /** An event type the rule names at {@code key}: one that is known, with its data fields. */
  private static String type(ConfigReader section, String key, boolean required, Map<String, EventSchema> types) {
    if (!section.has(key)) {
      if (required) {
        section.requiredString(key);
      }
      return null;
    }
    String type = section.string(key, null);
    if (type != null && !types.containsKey(type)) {
      section.problem(key, "names an unknown event type; declare it under events", type);
      return null;
    }
    return type;
  }

  /** Reports a type given to two roles of the same rule. */
  private static void distinct(ConfigReader section, String[] keys, String[] types) {
    for (int i = 0; i < types.length; i++) {
      for (int j = 0; j < i; j++) {
        if (types[i] != null && types[i].equals(types[j])) {
          section.problem(keys[i], "is also the rule's " + keys[j], types[i]);
        }
      }
    }
  }

  private static DataField field(EventSchema schema, String name) {
    return schema == null ? null : schema.data().stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * The message at {@code key}: one text, in the default language, or an object of texts by BCP 47 tag. Each text's
   * placeholders must be among {@code allowed}; every wrong one is reported.
   */
  private static Messages messages(ConfigReader section, String key, Set<String> allowed, String defaultLocale) {
    if (section.isObject(key)) {
      ConfigReader byTag = section.object(key);
      Map<String, MessageTemplate> templates = new LinkedHashMap<>();
      boolean wrong = byTag.keys().isEmpty();
      for (String tag : byTag.keys()) {
        String text = byTag.string(tag, null);
        String normal = null;
        try {
          normal = Zones.locale(tag);
        } catch (IllegalArgumentException e) {
          byTag.problem(tag, "is not a BCP 47 language tag (e.g. \"de\" or \"de-AT\")");
        }
        try {
          if (text != null && normal != null) {
            templates.put(normal, MessageTemplate.parse(text, allowed, normal));
          }
        } catch (IllegalArgumentException e) {
          byTag.problem(tag, e.getMessage(), text);
        }
        wrong |= text == null || normal == null || !templates.containsKey(normal);
      }
      if (byTag.keys().isEmpty()) {
        section.problem(key, "must give a text in at least one language");
      }
      byTag.done();
      return wrong ? null : new Messages(templates, defaultLocale);
    }
    String text = section.requiredString(key);
    if (text == null) {
      return null;
    }
    try {
      return Messages.of(MessageTemplate.parse(text, allowed, defaultLocale), defaultLocale);
    } catch (IllegalArgumentException e) {
      section.problem(key, e.getMessage(), text);
      return null;
    }
  }

  /** The schemas of the named types, each once, in the order named. */
  private static List<EventSchema> schemas(Map<String, EventSchema> types, String... named) {
    return new LinkedHashSet<>(java.util.Arrays.asList(named)).stream().filter(Objects::nonNull).map(types::get)
        .toList();
  }

  private static JsonObject load(String resource) {
    try (InputStream in = Shapes.class.getResourceAsStream(resource)) {
      return new JsonObject(new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
