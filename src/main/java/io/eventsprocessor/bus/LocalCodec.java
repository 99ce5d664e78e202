package io.eventsprocessor.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Immutable messages on the event bus as they are: a consumer on the same node gets the very event the edge
 * decoded, or the very notification the rules decided, not a JSON copy to decode again (instants from
 * text, data from a tree). Neither leaves the node that made it: in a cluster, the edge hands events to the local
 * rules verticle, what crosses nodes is an entry processor, and the owner's node delivers its users' notifications.
 * So the wire form is refused, not written.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
  private final String name;

  private LocalCodec(Class<T> type) {
    this.name = "events-processor.local." + type.getSimpleName();
  }

  /** Makes these types the bus's own kinds of message (once per Vert.x instance; again does nothing). */
  public static void register(EventBus bus, Class<?>... types) {
    for (Class<?> type : types) {
      register(bus, type);
    }
  }

  private static <T> void register(EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException e) {
      // registered by an earlier deployment on this Vert.x instance
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T message) {
    throw new UnsupportedOperationException(name + ": stays on the node that made it");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(name + ": stays on the node that made it");
  }

  @Override
  public T transform(T message) {
    return message;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
