package io.eventsprocessor.policy;

import io.eventsprocessor.notify.Notification;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules' policies, by the rules' indexes, and the limit across them: which of the notifications a step of the
 * rules decided go out now, which wait for quiet hours to end, and which are suppressed, and why. A pure function
 * of the user's marks, its deferred notifications, its zone and language, and its event clock.
 *
 * <p>The order of the checks: "trained today" first (a reminder to someone who trained is not wanted at all), then
 * quiet hours (a drop ends it; a deferral moves the notification to the hours' end), then the rule's cap and the
 * daily limit, counted on the day and time it will reach the user. An admitted notification is marked at that time,
 * so a deferred one counts on the day it goes out.
 */
public final class Policy {
  /** No rule guarded: every notification goes out as decided. */
  public static final Policy NONE = new Policy(List.of(), 0);

  /** A notification decided by the rule of index {@code family}. */
  public record Decided(int family, Notification notification) {}

  /**
   * What became of one decided notification.
   *
   * @param reason    why it was suppressed; null when it was admitted
   * @param releaseAt when it goes out, when it was deferred; null otherwise
   */
  public record Decision(int family, Notification notification, Reason reason, Instant releaseAt, String why) {}

  /**
   * A step's outcome.
   *
   * @param sent      what goes out now, in the user's language
   * @param decisions one per decided notification that did not simply go out (suppressed or deferred)
   */
  public record Admitted(long[] marks, Deferred[] deferred, List<Notification> sent, List<Decision> decisions) {}

  /** Deferred notifications split: those due by now, and the rest. */
  public record Released(List<Notification> due, Deferred[] left) {}

  private final List<RulePolicy> rules;
  private final int maxPerDay;
  private final Set<String> trainingTypes = new HashSet<>();
  /** How long a mark may count: a local day, or the longest rolling cap. */
  private final long keep;

  /**
   * @param rules     by the rules' indexes; a null entry is a rule that is not guarded (a family written in Java)
   * @param maxPerDay the most notifications a user gets per local day, all guarded rules together; 0 for no limit
   */
  public Policy(List<RulePolicy> rules, int maxPerDay) {
    if (rules.size() > Marks.MOST_RULES) {
      throw new IllegalArgumentException("at most " + Marks.MOST_RULES + " rules can be guarded");
    }
    this.rules = new ArrayList<>(rules);
    this.maxPerDay = maxPerDay;
    rules.stream().filter(r -> r != null).forEach(r -> trainingTypes.addAll(r.trainingTypes()));
    keep = Math.max(Marks.DAY_KEEP, rules.stream().filter(r -> r != null && r.cap() != null && r.cap().rolling() != null)
        .mapToLong(r -> r.cap().rolling().toMillis()).max().orElse(0));
  }

  /** Whether an event of the type means the user trained (some rule skips on a day it did). */
  public boolean isTraining(String type) {
    return !trainingTypes.isEmpty() && trainingTypes.contains(type);
  }

  /** The marks after the user trained at {@code at} (epoch millis of its event clock). */
  public long[] trained(long[] marks, long at) {
    return Marks.add(marks, Marks.TRAINED, at, keep);
  }

  /** The marks that may still count at {@code now} (event clock millis). */
  public long[] forget(long[] marks, long now) {
    return marks.length == 0 ? marks : Marks.forget(marks, now, keep);
  }

  /** When, on the event clock, the last of the marks no longer counts; {@link Long#MAX_VALUE} for none. */
  public long forgetAt(long[] marks) {
    return Marks.forgetAt(marks, keep);
  }

  /** The deferred notifications whose time has come at {@code now} (event clock millis), in release order. */
  public Released release(Deferred[] deferred, long now) {
    if (deferred.length == 0 || !anyDue(deferred, now)) {
      return new Released(List.of(), deferred);
    }
    List<Deferred> due = new ArrayList<>();
    List<Deferred> left = new ArrayList<>();
    for (Deferred d : deferred) {
      (d.releaseAt() <= now ? due : left).add(d);
    }
    due.sort(Comparator.comparingLong(Deferred::releaseAt));
    return new Released(due.stream().map(Deferred::notification).toList(),
        left.isEmpty() ? Deferred.NONE : left.toArray(Deferred[]::new));
  }

  private static boolean anyDue(Deferred[] deferred, long now) {
    for (Deferred d : deferred) {
      if (d.releaseAt() <= now) {
        return true;
      }
    }
    return false;
  }

  /** The earliest release time of the deferred notifications (event clock millis), or {@link Long#MAX_VALUE}. */
  public static long nextRelease(Deferred[] deferred) {
    long next = Long.MAX_VALUE;
    for (Deferred d : deferred) {
      next = Math.min(next, d.releaseAt());
    }
    return next;
  }

  /**
   * Judges the notifications one step decided at {@code at}, in priority order.
   *
   * @param zone   the user's time zone (an id {@code event.Zones} checked)
   * @param locale the user's language tag
   */
  public Admitted admit(long[] marks, Deferred[] deferred, String zone, String locale, Instant at,
      List<Decided> decided) {
    List<Decided> ordered = new ArrayList<>(decided);
    if (ordered.size() > 1) {
      ordered.sort(Comparator.comparingInt((Decided d) -> priority(d.family())).thenComparingInt(Decided::family));
    }
    ZoneId zoneId = ZoneId.of(zone);
    List<Notification> sent = new ArrayList<>(ordered.size());
    List<Decision> decisions = new ArrayList<>(0);
    List<Deferred> waiting = null;
    for (Decided d : ordered) {
      RulePolicy rule = d.family() < rules.size() ? rules.get(d.family()) : null;
      if (rule == null) {
        sent.add(d.notification());
        continue;
      }
      Notification n = rule.inLanguage(d.notification(), locale);
      LocalDate today = Marks.day(at.toEpochMilli(), zoneId);
      if (rule.skipIfTrainedToday() && Marks.trainedOn(marks, today, zoneId)) {
        decisions.add(new Decision(d.family(), n, Reason.trained_today, null, "the user trained on " + today));
        continue;
      }
      Instant goesOut = at;
      boolean held = false;
      QuietHours quiet = rule.quietHours();
      LocalTime local = at.atZone(zoneId).toLocalTime();
      if (quiet != null && quiet.contains(local)) {
        if (quiet.action() == QuietHours.Action.drop) {
          decisions.add(new Decision(d.family(), n, Reason.quiet_hours, null,
              "due at " + local.withNano(0) + " " + zone + ", inside quiet hours " + quiet));
          continue;
        }
        goesOut = quiet.endAfter(at, zoneId);
        held = true;
      }
      long outMillis = goesOut.toEpochMilli();
      LocalDate day = Marks.day(outMillis, zoneId);
      Cap cap = rule.cap();
      if (cap != null && (cap.rolling() == null ? Marks.onDay(marks, d.family(), day, zoneId)
          : Marks.within(marks, d.family(), outMillis, cap.rolling().toMillis())) >= cap.count()) {
        decisions.add(new Decision(d.family(), n, Reason.capped, null, "cap of " + cap + " reached"
            + (cap.rolling() == null ? " on " + day : "")));
        continue;
      }
      if (maxPerDay > 0 && Marks.onDay(marks, -1, day, zoneId) >= maxPerDay) {
        decisions.add(new Decision(d.family(), n, Reason.daily_limit, null, maxPerDay
            + " notification(s) on " + day + " already"));
        continue;
      }
      if (cap != null || maxPerDay > 0) { // a mark nothing counts is not kept
        marks = Marks.add(marks, d.family(), outMillis, keep);
      }
      if (!held) {
        sent.add(n);
      } else {
        waiting = waiting == null ? new ArrayList<>(List.of(deferred)) : waiting;
        waiting.add(new Deferred(outMillis, d.family(), n));
        decisions.add(new Decision(d.family(), n, null, goesOut, "due at " + local.withNano(0) + " " + zone
            + ", inside quiet hours " + quiet + ": deferred to " + goesOut));
      }
    }
    return new Admitted(marks, waiting == null ? deferred : waiting.toArray(Deferred[]::new), sent, decisions);
  }

  private int priority(int family) {
    RulePolicy rule = family < rules.size() ? rules.get(family) : null;
    return rule == null ? Integer.MIN_VALUE : rule.priority();
  }

  public RulePolicy rule(int family) {
    return family < rules.size() ? rules.get(family) : null;
  }
}
