package io.eventsprocessor.event;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Events on the event bus as they are: an {@link Event} is immutable, so a consumer on the same node gets the very
 * object the edge decoded, not a JSON copy to decode again (instants from text, data from a tree). Events never
 * leave the node that took them: in a cluster, the edge hands them to the local rules verticle, and what crosses
 * nodes is an entry processor. So the wire form is refused, not written.
 */
public final class EventCodec implements MessageCodec<Event, Event> {
  public static final String NAME = "events-processor.event";

  /** Makes events the bus's own kind of message (once per Vert.x instance; again does nothing). */
  public static void register(EventBus bus) {
    try {
      bus.registerDefaultCodec(Event.class, new EventCodec());
    } catch (IllegalStateException e) {
      // registered by an earlier deployment on this Vert.x instance
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Event event) {
    throw new UnsupportedOperationException("events stay on the node that took them");
  }

  @Override
  public Event decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("events stay on the node that took them");
  }

  @Override
  public Event transform(Event event) {
    return event;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
