package io.eventsprocessor.handler;

import java.util.Map;

/**
 * Where a handler keeps its per-user state. Owned by one handler and used from its event loop only;
 * small, so that a clustered mode can back it with the cluster's shared data without touching the rules.
 */
public interface UserStateStore<S> {

  /** The user's state, or null when there is none. */
  S get(String userId);

  /** Stores the state; null removes the user, so that users with nothing pending cost nothing. */
  void put(String userId, S state);

  int size();

  /** A copy of every user's state, cheap to take on the event loop and safe to read elsewhere. */
  Map<String, S> copy();
}
