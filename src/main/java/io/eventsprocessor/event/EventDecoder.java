package io.eventsprocessor.event;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a decoded JSON document into an {@link Event}, whatever its format, or into the list of what is
 * wrong with it. The one decoding and validation path of every endpoint. Pure: the receive time is an argument.
 */
public final class EventDecoder {
  /** The field name that stands for the document as a whole. */
  public static final String BODY = "$";
  /** The media type of every format that has no media type of its own. */
  public static final String JSON = "application/json";
  public static final Duration DEFAULT_FUTURE_MARGIN = Duration.ofMinutes(5);
  private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /** The types known, and the formats that read them; replaced at once when the rules are reloaded. */
  private volatile Known known;
  private final String cloudEventsTypePrefix;
  private final ClockSkew skew;

  /**
   * @param formats tried in order on plain JSON; the last one claims every object
   */
  private record Known(Vocabulary vocabulary, List<EventFormat> formats) {
    static Known of(Collection<EventSchema> schemas, String cloudEventsTypePrefix) {
      Vocabulary vocabulary = new Vocabulary(schemas);
      return new Known(vocabulary, List.of(new CloudEventsFormat(vocabulary, cloudEventsTypePrefix),
          new LegacyFormat(vocabulary), new ImprovedFormat(vocabulary)));
    }
  }

  /** @param schemas the schemas the families declared; a type declared twice must carry all requirements */
  public EventDecoder(Collection<EventSchema> schemas) {
    this(schemas, DEFAULT_FUTURE_MARGIN);
  }

  /** @param futureMargin how far after its receipt an event may be stamped before it is clamped to the receipt */
  public EventDecoder(Collection<EventSchema> schemas, Duration futureMargin) {
    this(schemas, futureMargin, "");
  }

  /** @param cloudEventsTypePrefix taken off CloudEvents' types that start with it (empty for none) */
  public EventDecoder(Collection<EventSchema> schemas, Duration futureMargin, String cloudEventsTypePrefix) {
    this.cloudEventsTypePrefix = cloudEventsTypePrefix;
    this.known = Known.of(schemas, cloudEventsTypePrefix);
    this.skew = new ClockSkew(futureMargin);
  }

  /**
   * Decodes with these schemas from now on (the rules were reloaded): an event decoded meanwhile is decoded wholly
   * with the old ones or wholly with the new ones. Safe from any thread.
   */
  public void use(Collection<EventSchema> schemas) {
    known = Known.of(schemas, cloudEventsTypePrefix);
  }

  /** The media types that name a format of their own, besides {@link #JSON}. */
  public Set<String> ownMediaTypes() {
    return known.formats().stream().map(EventFormat::mediaType).filter(Objects::nonNull).collect(Collectors.toSet());
  }

  /** A document sent as plain JSON: its format is recognised by its fields. */
  public Decoded decode(Object document, Instant receivedAt) {
    return decode(document, JSON, receivedAt);
  }

  /**
   * A document taken at its own stamp, for a file of events replayed (see the replay tool): a file has no receive
   * time, so {@code sentAt} corrects nothing, nothing is clamped, and the event's receive time is its stamp.
   */
  public Decoded decodeAsStamped(Object document) {
    return decode(document, JSON, null);
  }

  /**
   * @param mediaType the media type the document came as (without parameters); a format's own media type selects
   *                  that format whatever the document holds, anything else lets the formats recognise it
   * @param receivedAt null to take the event at its own stamp (see {@link #decodeAsStamped})
   */
  public Decoded decode(Object document, String mediaType, Instant receivedAt) {
    if (!(document instanceof JsonObject json)) {
      return new Decoded.Invalid(List.of(new FieldError(BODY, "the event must be a JSON object")));
    }
    List<FieldError> overLimits = Limits.check(json);
    if (!overLimits.isEmpty()) {
      return new Decoded.Invalid(overLimits);
    }
    Known known = this.known;
    List<EventFormat> formats = known.formats();
    EventFormat format = format(formats, mediaType, json);
    FieldReader reader = new FieldReader(json);
    // Taken at its own stamp, the event's receive time is set to that stamp once read.
    Event event = format.read(json, reader, receivedAt == null ? Instant.EPOCH : receivedAt);
    if (event != null && !TYPE_NAME.matcher(event.type()).matches()) {
      reader.error("type",
          "must be a lower-case identifier of letters, digits and underscores, " + format.typeExample());
    }
    EventSchema schema = event == null ? null : known.vocabulary().schema(event.type());
    if (schema != null) {
      for (DataField field : schema.data()) {
        if (field.required() && event.dataString(field.name()) == null) {
          reader.error(format.dataFieldName(event.type(), field.name()), "is required for " + event.type());
        }
      }
    }
    if (!reader.errors().isEmpty()) {
      return new Decoded.Invalid(reader.errors());
    }
    if (receivedAt == null) {
      return new Decoded.Valid(event.receivedAt(event.occurredAt()), schema != null, false);
    }
    ClockSkew.Corrected corrected = skew.correct(event.occurredAt(), event.sentAt(), receivedAt);
    if (!corrected.withinYears()) {
      if (event.sentAt() != null) {
        reader.error(format.sentAtField(), "is too far from the server's clock: " + format.timeField()
            + " corrected by it would fall outside the years 0000-9999");
      } else {
        reader.error(format.timeField(), "must fall within the years 0000-9999 in UTC");
      }
      return new Decoded.Invalid(reader.errors());
    }
    return new Decoded.Valid(event.correctedTo(corrected.occurredAt()), schema != null, corrected.clamped());
  }

  /** The format of the media type, else the first that recognises the document (the last one takes anything). */
  private static EventFormat format(List<EventFormat> formats, String mediaType, JsonObject json) {
    for (EventFormat f : formats) {
      if (mediaType.equalsIgnoreCase(f.mediaType())) {
        return f;
      }
    }
    for (EventFormat f : formats) {
      if (f.claims(json)) {
        return f;
      }
    }
    throw new IllegalStateException("no event format claims the document");
  }
}
