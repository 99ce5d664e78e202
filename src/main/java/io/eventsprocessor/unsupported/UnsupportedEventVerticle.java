package io.eventsprocessor.unsupported;

import io.eventsprocessor.event.Event;
import io.eventsprocessor.bus.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback consumer: well-formed events of a type no handler declared. A newer app may send types this
 * version does not know; they are not errors. Each is logged, and nothing else happens (ingestion counts them,
 * in its counters and in the metrics).
 */
public final class UnsupportedEventVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(UnsupportedEventVerticle.class);

  @Override
  public Future<?> start() {
    return vertx.eventBus().<Event>localConsumer(EventAddresses.UNSUPPORTED, this::onEvent).completion();
  }

  private void onEvent(Message<Event> message) {
    Event event = message.body();
    LOG.atInfo().addKeyValue("eventId", event.id()).addKeyValue("userId", event.userId())
        .log("unsupported event type {}: event {} of user {} ignored", event.type(), event.id(), event.userId());
  }
}
