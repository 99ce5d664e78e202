package io.eventsprocessor.event;

import java.util.List;

/** The outcome of decoding one event document: an event (of a supported type or not), or what is wrong. */
public sealed interface Decoded {

  /**
   * A well-formed event; {@code supported} tells whether any handler declared its type, {@code clamped} whether
   * its time lay too far in the future and was replaced by the receive time.
   */
  record Valid(Event event, boolean supported, boolean clamped) implements Decoded {
    public Valid(Event event, boolean supported) {
      this(event, supported, false);
    }
  }

  record Invalid(List<FieldError> errors) implements Decoded {
    public Invalid {
      errors = List.copyOf(errors);
    }
  }
}
