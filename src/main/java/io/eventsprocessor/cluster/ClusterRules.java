package io.eventsprocessor.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.exception.RetryableHazelcastException;
import io.eventsprocessor.ingest.RateLimiter;
import io.eventsprocessor.rules.RuleSet;

/**
 * How the entry processors reach this member's rules: through the member's own user context, which Hazelcast
 * gives every {@code HazelcastInstanceAware} object it runs, not through a static. Several members in one JVM (the
 * tests' clusters) each run their own rules. Entry processors travel without the rules (they are the same on every
 * node: the same jar and config); a node puts its own in when its service starts.
 */
public final class ClusterRules {
  private static final String KEY = "events-processor.rules";
  private static final String USER_RATES = "events-processor.user-rates";

  private ClusterRules() {}

  /** This member's rules, from now on; blocking nothing. */
  public static void set(HazelcastInstance member, RuleSet rules) {
    member.getUserContext().put(KEY, rules);
  }

  /** The users' rate as this member keeps it for the users it owns (their events, whichever node took them). */
  public static void setUserRates(HazelcastInstance member, RateLimiter perUser) {
    member.getUserContext().put(USER_RATES, perUser);
  }

  /** The member's users' rate; unlimited until its service has started. */
  static RateLimiter userRates(HazelcastInstance member) {
    Object limiter = member == null ? null : member.getUserContext().get(USER_RATES);
    return limiter == null ? RateLimiter.unlimited() : (RateLimiter) limiter;
  }

  /** The member's service has stopped: a step that reaches it from now on is retried until another owns the user. */
  public static void clear(HazelcastInstance member, RuleSet rules) {
    member.getUserContext().remove(KEY, rules);
  }

  /**
   * @throws RetryableHazelcastException when this node joined but has not started the service yet (it may own
   *                                     partitions already): Hazelcast then runs the step again a moment later
   */
  static RuleSet of(HazelcastInstance member) {
    Object rules = member == null ? null : member.getUserContext().get(KEY);
    if (rules == null) {
      throw new RetryableHazelcastException("this node has joined but not started the service yet");
    }
    return (RuleSet) rules;
  }
}
