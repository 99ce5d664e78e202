package io.eventsprocessor.cluster;

import io.eventsprocessor.rules.RuleSet;

/**
 * What the entry processors need on the node that runs them: the rules, as this node's config gave them, and how
 * long an applied event is remembered. Entry processors travel without them (they are the same on every node: the
 * same jar and config), so a node sets them once, before it joins.
 */
public final class ClusterRules {
  private static volatile RuleSet rules;
  private static volatile long duplicateWindow;

  private ClusterRules() {}

  public static void set(RuleSet rules, long duplicateWindowMillis) {
    ClusterRules.rules = rules;
    ClusterRules.duplicateWindow = duplicateWindowMillis;
  }

  static RuleSet rules() {
    RuleSet set = rules;
    if (set == null) {
      throw new IllegalStateException("this node runs no rules: it has not started the service");
    }
    return set;
  }

  static long duplicateWindow() {
    return duplicateWindow;
  }
}
