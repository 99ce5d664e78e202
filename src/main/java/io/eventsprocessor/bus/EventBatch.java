package io.eventsprocessor.bus;

import io.eventsprocessor.event.Event;
import java.util.List;

/**
 * The events one edge admitted in one turn of its event loop, in order, handed to the rules as one message: one hop
 * and one reply for all of them, not one each (see {@link BatchAnswer}). The message travels to the address of its
 * first event's type ({@link EventAddresses#forType}); the rules verticle that consumes it consumes every type of
 * its rules, and takes the batch whole. Immutable.
 */
public record EventBatch(List<Event> events) {
  public EventBatch {
    if (events.isEmpty()) {
      throw new IllegalArgumentException("a batch holds at least one event");
    }
  }

  /** The address the batch is sent to. */
  public String address() {
    return EventAddresses.forType(events.get(0).type());
  }
}
