package io.eventsprocessor.event;

import java.util.List;

/** The outcome of decoding one event document: an event (of a supported type or not), or what is wrong. */
public sealed interface Decoded {

  /** A well-formed event; {@code supported} tells whether any handler declared its type. */
  record Valid(Event event, boolean supported) implements Decoded {}

  record Invalid(List<FieldError> errors) implements Decoded {
    public Invalid {
      errors = List.copyOf(errors);
    }
  }
}
