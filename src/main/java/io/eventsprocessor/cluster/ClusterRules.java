package io.eventsprocessor.cluster;

import com.hazelcast.spi.exception.RetryableHazelcastException;
import io.eventsprocessor.rules.RuleSet;

/**
 * What the entry processors need on the node that runs them: the rules, as this node's config gave them, and how
 * long an applied event is remembered. Entry processors travel without them (they are the same on every node: the
 * same jar and config), so a node sets them once, when its service starts; until then, a step that reaches it is
 * retried.
 */
public final class ClusterRules {
  private static volatile RuleSet rules;
  private static volatile long duplicateWindow;

  private ClusterRules() {}

  public static void set(RuleSet rules, long duplicateWindowMillis) {
    ClusterRules.rules = rules;
    ClusterRules.duplicateWindow = duplicateWindowMillis;
  }

  /**
   * @throws RetryableHazelcastException when this node joined but has not started the service yet (it may own
   *                                     partitions already): Hazelcast then runs the step again a moment later
   */
  static RuleSet rules() {
    RuleSet set = rules;
    if (set == null) {
      throw new RetryableHazelcastException("this node has joined but not started the service yet");
    }
    return set;
  }

  static long duplicateWindow() {
    return duplicateWindow;
  }
}
