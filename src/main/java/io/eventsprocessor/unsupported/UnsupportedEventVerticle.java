package io.eventsprocessor.unsupported;

import io.eventsprocessor.event.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback consumer: well-formed events of a type no handler declared. A newer app may send types this
 * version does not know; they are not errors. Each is logged and counted per type, and nothing else happens.
 */
public final class UnsupportedEventVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(UnsupportedEventVerticle.class);
  /** Distinct type names counted one by one; any beyond are counted together, so clients cannot grow the map. */
  static final int MAX_COUNTED_TYPES = 100;
  static final String OTHER_TYPES = "(other)";

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>localConsumer(EventAddresses.UNSUPPORTED, this::onEvent).completion();
  }

  private void onEvent(Message<JsonObject> message) {
    JsonObject event = message.body();
    String type = event.getString("type");
    LOG.info("unsupported event type {}: event {} of user {} ignored", type, event.getString("id"), event.getString("userId"));
    String key = counts.containsKey(type) || counts.size() < MAX_COUNTED_TYPES ? type : OTHER_TYPES;
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** How many unsupported events of the type were received. */
  public long count(String type) {
    LongAdder count = counts.get(type);
    return count == null ? 0 : count.sum();
  }
}
