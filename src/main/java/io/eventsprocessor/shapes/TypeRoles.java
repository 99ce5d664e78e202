package io.eventsprocessor.shapes;

import java.util.HashMap;
import java.util.Map;

/**
 * What each event type a rule names means to it, as bits (a type may be, say, both a cancelling event and a
 * session's start). Resolved once when the rule is configured, so that an event costs one lookup, as a
 * {@code switch} on its type would.
 */
public record TypeRoles(Map<String, Integer> roles) {

  public TypeRoles {
    roles = Map.copyOf(roles);
  }

  /** The bits of {@code type}, 0 for a type the rule does not name. */
  public int of(String type) {
    Integer bits = roles.get(type);
    return bits == null ? 0 : bits;
  }

  static Builder builder() {
    return new Builder();
  }

  static final class Builder {
    private final Map<String, Integer> roles = new HashMap<>();

    Builder add(String type, int role) {
      if (type != null) {
        roles.merge(type, role, (a, b) -> a | b);
      }
      return this;
    }

    TypeRoles build() {
      return new TypeRoles(roles);
    }
  }
}
