package io.eventsprocessor.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.eventsprocessor.TestEvents;
import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.notify.Notification;
import io.eventsprocessor.rules.RuleEngine;
import io.eventsprocessor.rules.RuleEngineTest;
import io.eventsprocessor.rules.RuleSet;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The two stores run one core: the same generated user days, applied by the single node's engine and by the
 * cluster's entry processors (on entries held in a plain map, as a member holds its partition's), give the same
 * replies, the same notifications (ids, texts, times) and the same states, byte for byte.
 */
class StoresAgreeProperties {
  private static final Instant DAY = Instant.parse("2026-03-02T08:00:00Z");
  private static final List<String> USERS = List.of("ann", "bob", "cy");
  private static final List<String> TYPES = List.of("app_launch", "training_program_started",
      "training_program_paused", "training_program_resumed", "training_program_finished",
      "training_program_cancelled");

  /** One step of a user day: an event some minutes after the previous one, or a resend of an earlier event. */
  record Step(String user, String type, String program, int minutes, boolean resend) {}

  @Provide
  Arbitrary<List<Step>> days() {
    return Combinators.combine(Arbitraries.of(USERS), Arbitraries.of(TYPES), Arbitraries.of("p", "q"),
            Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, 9).map(i -> i == 0))
        .as(Step::new).list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 200)
  void oneNodeAndTheClusterGiveTheSameRepliesNotificationsAndStates(@ForAll("days") List<Step> day) {
    RuleEngine single = RuleEngineTest.standard();
    RuleSet rules = RuleEngineTest.standard().rules();
    Map<String, ClusterUser> map = new TreeMap<>();
    HazelcastInstance member = member(rules);

    List<io.vertx.core.json.JsonObject> singleSent = new ArrayList<>();
    List<io.vertx.core.json.JsonObject> clusterSent = new ArrayList<>();
    List<Event> earlier = new ArrayList<>();
    long real = DAY.toEpochMilli();
    for (Step step : day) {
      real += Duration.ofMinutes(step.minutes()).toMillis();
      Event event = step.resend() && !earlier.isEmpty() ? earlier.get(earlier.size() / 2)
          : TestEvents.of(step.user()).at(Instant.ofEpochMilli(real)).program(step.type(), step.program());
      if (step.type().equals("app_launch") && !step.resend()) {
        event = TestEvents.of(step.user()).at(Instant.ofEpochMilli(real)).launch();
      }
      earlier.add(event);

      single.wakeUp(real).forEach(n -> singleSent.add(text(n)));
      wakeUp(map, member, real);

      RuleSet.Step applied = single.apply(event, real);
      applied.notifications().forEach(n -> singleSent.add(text(n)));
      UserProcessors.ApplyEvents processor = new UserProcessors.ApplyEvents(List.of(event), real);
      processor.setHazelcastInstance(member);
      Reply clusterReply = Reply.decode(process(map, event.userId(), processor)[0]);

      assertThat(clusterReply).as("reply to %s", event.id()).isEqualTo(applied.reply());
    }
    long later = real + Duration.ofDays(2).toMillis();
    for (long t = real; t <= later; t += Duration.ofMinutes(30).toMillis()) {
      single.wakeUp(t).forEach(n -> singleSent.add(text(n)));
      wakeUp(map, member, t);
    }
    map.values().forEach(user -> user.pending().forEach(p -> clusterSent.add(text(p.decode()))));

    assertThat(clusterSent).containsExactlyInAnyOrderElementsOf(singleSent);
    assertThat(states(map, rules)).isEqualTo(states(single));
  }

  /**
   * A partition's call changes several users with one processor, and its backup applies the processor's backup to
   * each of those users (as Hazelcast's multi-key operation does on the backup member): the backup then holds, for
   * each user, what the owner holds, events and wake-ups alike.
   */
  @Property(tries = 200)
  void aBackupHoldsWhatItsOwnerHoldsAfterCallsOnSeveralUsers(@ForAll("days") List<Step> day) {
    RuleSet rules = RuleEngineTest.standard().rules();
    Map<String, ClusterUser> owner = new TreeMap<>();
    Map<String, ClusterUser> backup = new TreeMap<>();
    HazelcastInstance member = member(rules);
    long real = DAY.toEpochMilli();
    List<Event> call = new ArrayList<>();
    for (Step step : day) {
      real += Duration.ofMinutes(step.minutes()).toMillis();
      call.add(step.type().equals("app_launch") ? TestEvents.of(step.user()).at(Instant.ofEpochMilli(real)).launch()
          : TestEvents.of(step.user()).at(Instant.ofEpochMilli(real)).program(step.type(), step.program()));
      if (step.resend() || call.size() == 4) { // a call holds what came for the partition meanwhile
        UserProcessors.ApplyEvents processor = new UserProcessors.ApplyEvents(call, real);
        processor.setHazelcastInstance(member);
        onOwnerAndBackup(owner, backup, call.stream().map(Event::userId).distinct().toList(), processor, member);
        call.clear();
      }
      long now = real;
      List<String> due = owner.keySet().stream().filter(id -> owner.get(id).getWakeAt() <= now).toList();
      UserProcessors.WakeUp wakeUp = new UserProcessors.WakeUp(now);
      wakeUp.setHazelcastInstance(member);
      onOwnerAndBackup(owner, backup, due, wakeUp, member);
    }

    assertThat(states(backup, rules)).isEqualTo(states(owner, rules));
    owner.forEach((id, user) -> {
      assertThat(backup.get(id).version()).as("version of %s", id).isEqualTo(user.version());
      assertThat(backup.get(id).pending()).as("notifications of %s", id).isEqualTo(user.pending());
    });
  }

  /** Runs the processor on the owner's users, then its backup processor on the same users of the backup. */
  static void onOwnerAndBackup(Map<String, ClusterUser> owner, Map<String, ClusterUser> backup, List<String> userIds,
      UserProcessors.Change<?> processor, HazelcastInstance member) {
    userIds.forEach(id -> process(owner, id, processor));
    var backupProcessor = processor.getBackupProcessor();
    ((com.hazelcast.core.HazelcastInstanceAware) backupProcessor).setHazelcastInstance(member);
    for (String id : userIds) {
      AbstractMap.SimpleEntry<String, ClusterUser> entry = new AbstractMap.SimpleEntry<>(id, backup.get(id));
      backupProcessor.process(entry);
      if (entry.getValue() == null) {
        backup.remove(id);
      } else {
        backup.put(id, entry.getValue());
      }
    }
  }

  /** A member as far as the processors see it: its user context, with its rules. */
  static HazelcastInstance member(RuleSet rules) {
    ConcurrentHashMap<String, Object> context = new ConcurrentHashMap<>();
    HazelcastInstance member = (HazelcastInstance) Proxy.newProxyInstance(HazelcastInstance.class.getClassLoader(),
        new Class<?>[] {HazelcastInstance.class}, (proxy, method, args) -> {
          if (method.getName().equals("getUserContext")) {
            return context;
          }
          throw new UnsupportedOperationException(method.getName());
        });
    ClusterRules.set(member, rules);
    return member;
  }

  static <R> R process(Map<String, ClusterUser> map, String userId, UserProcessors.Change<R> processor) {
    AbstractMap.SimpleEntry<String, ClusterUser> entry = new AbstractMap.SimpleEntry<>(userId, map.get(userId));
    R result = processor.process(entry);
    if (entry.getValue() == null) {
      map.remove(userId);
    } else {
      map.put(userId, entry.getValue());
    }
    return result;
  }

  /** As a member's poll does: every entry due is woken. */
  static void wakeUp(Map<String, ClusterUser> map, HazelcastInstance member, long now) {
    for (String userId : List.copyOf(map.keySet())) {
      if (map.get(userId).getWakeAt() <= now) {
        UserProcessors.WakeUp processor = new UserProcessors.WakeUp(now);
        processor.setHazelcastInstance(member);
        process(map, userId, processor);
      }
    }
  }

  /** A notification as the receiver gets it (its fields compared, not their order). */
  static io.vertx.core.json.JsonObject text(Notification n) {
    return n.toJson();
  }

  static Map<String, String> states(Map<String, ClusterUser> map, RuleSet rules) {
    Map<String, String> states = new TreeMap<>();
    map.forEach((id, user) -> {
      if (user.state(rules) != null) {
        var out = Unpooled.buffer();
        rules.write(out, user.state(rules));
        states.put(id, ByteBufUtil.hexDump(out));
      }
    });
    return states;
  }

  static Map<String, String> states(RuleEngine engine) {
    Map<String, String> states = new TreeMap<>();
    engine.snapshot().write(record -> {
      String id = io.eventsprocessor.state.Bytes.readString(record);
      states.put(id, ByteBufUtil.hexDump(record));
    });
    return states;
  }
}
