package io.eventsprocessor.handler;

import java.util.HashMap;
import java.util.Map;

/** A plain map: one handler's event loop is the only thread that touches it. */
public final class InMemoryUserStateStore<S> implements UserStateStore<S> {
  private final Map<String, S> states = new HashMap<>();

  @Override
  public S get(String userId) {
    return states.get(userId);
  }

  @Override
  public void put(String userId, S state) {
    if (state == null) {
      states.remove(userId);
    } else {
      states.put(userId, state);
    }
  }

  @Override
  public int size() {
    return states.size();
  }

  @Override
  public Map<String, S> copy() {
    return new HashMap<>(states);
  }
}
