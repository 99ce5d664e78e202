package io.eventsprocessor.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * Makes the entries the steps wrote durable on every member before the events that made them are answered, as a
 * single node's journal does with group commit: the steps write their entries and return at once (a partition
 * thread never waits for a disk), and the rules verticle asks for one sync per member for every answer waiting,
 * at most one round under way; the answers that came meanwhile wait for the next. With {@code state.sync: write}
 * (written is durable enough) there is nothing to wait for. Used from the rules verticle's context.
 *
 * <p>A member that left during a round is not waited for: the entries it held are on the members Hazelcast
 * promoted, whose own syncs in the same round made them durable. Any other failure fails the round, and its events
 * are refused: the client sends them again.
 */
final class JournalSync {
  private static final String EXECUTOR = "events-processor.journal-sync";

  private final IExecutorService members;
  private final Context context;
  private final boolean needed;
  /** What the answers since the round under way began wait for; null when none is waiting. */
  private Promise<Void> next;
  private boolean underWay;

  /** @param needed whether the journals sync ({@code state.sync: fsync}) */
  JournalSync(HazelcastInstance member, Context context, boolean needed) {
    this.members = member.getExecutorService(EXECUTOR);
    this.context = context;
    this.needed = needed;
  }

  /** Completes once everything written before this call is durable on every member. */
  Future<Void> synced() {
    if (!needed) {
      return Future.succeededFuture();
    }
    if (next == null) {
      next = Promise.promise();
    }
    Future<Void> synced = next.future();
    if (!underWay) {
      round();
    }
    return synced;
  }

  private void round() {
    Promise<Void> round = next;
    next = null;
    underWay = true;
    List<Future<Boolean>> calls = new ArrayList<>();
    try {
      for (Map.Entry<Member, java.util.concurrent.Future<Boolean>> call
          : members.submitToAllMembers(new SyncJournal()).entrySet()) {
        calls.add(OnContext.of((CompletionStage<Boolean>) call.getValue(), context)
            .recover(e -> left(e) ? Future.succeededFuture(true) : Future.failedFuture(e)));
      }
    } catch (RuntimeException e) { // this member is shutting down, say: the round fails, the next one may not
      calls.add(Future.failedFuture(e));
    }
    Future.all(calls).onComplete(done -> {
      underWay = false;
      if (done.succeeded()) {
        round.complete();
      } else {
        round.fail(done.cause());
      }
      if (next != null) {
        round();
      }
    });
  }

  /** Whether the call failed because its member left the cluster (Hazelcast may wrap the reason). */
  private static boolean left(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof MemberLeftException || e instanceof TargetNotMemberException) {
        return true;
      }
    }
    return false;
  }

  /** Run on each member: syncs its journal (none yet: nothing of its entries to wait for). */
  public static final class SyncJournal implements Callable<Boolean>, DataSerializable, HazelcastInstanceAware {
    private transient HazelcastInstance member;

    public SyncJournal() {}

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
      this.member = member;
    }

    @Override
    public Boolean call() {
      ClusterJournal journal = ClusterJournal.of(member);
      if (journal != null) {
        journal.sync();
      }
      return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
  }
}
