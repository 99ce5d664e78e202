package io.eventsprocessor.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A rules verticle's consumers of the event types' addresses (see {@link EventAddresses#forType}), one per type. A
 * reload of the rules adds those of new types; none is removed while the verticle runs, so that an event sent just
 * before a reload is still taken (the rules then change nothing for it). Used from the verticle's thread.
 *
 * @param <T> the events' class
 */
public final class TypeConsumers<T> {
  private final Set<String> types = new HashSet<>();
  private final List<MessageConsumer<T>> consumers = new ArrayList<>();

  /** Consumes the addresses of the types not consumed yet; completes once they are registered. */
  public Future<?> consume(EventBus bus, Set<String> more, Handler<Message<T>> handler) {
    List<Future<Void>> registered = new ArrayList<>();
    for (String type : more) {
      if (types.add(type)) {
        MessageConsumer<T> consumer = bus.localConsumer(EventAddresses.forType(type), handler);
        consumers.add(consumer);
        registered.add(consumer.completion());
      }
    }
    return Future.all(registered);
  }

  /** Stops consuming every address. */
  public Future<?> unregister() {
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
  }
}
