package io.eventsprocessor.notify;

import io.eventsprocessor.state.Journal;

/**
 * Where what becomes of a notification is kept beyond this node's outbox: on a single node, in the journal (see
 * {@link OutboxRecords}); in a cluster, in the user's entry and the cluster's dead letters. Not waited for: if a
 * record is lost, the notification is delivered again under the same id, which the receiver's Idempotency-Key
 * check absorbs.
 */
public interface DeliveryRecords {

  void delivered(Notification notification, long at);

  void deadLettered(Outbox.DeadLetter deadLetter);

  /** An operator queued a dead letter again. */
  void requeued(Notification notification, long at);

  /** In the journal, for recovery to replay. */
  static DeliveryRecords in(Journal journal) {
    return new DeliveryRecords() {
      @Override
      public void delivered(Notification notification, long at) {
        append(OutboxRecords.DELIVERED, OutboxRecords.delivered(notification, at));
      }

      @Override
      public void deadLettered(Outbox.DeadLetter deadLetter) {
        append(OutboxRecords.DEAD_LETTER, OutboxRecords.deadLetter(deadLetter));
      }

      @Override
      public void requeued(Notification notification, long at) {
        append(OutboxRecords.REQUEUED, OutboxRecords.requeued(notification.id(), at));
      }

      private void append(byte type, io.netty.buffer.ByteBuf payload) {
        try {
          journal.append(type, payload);
        } catch (Journal.BrokenException e) {
          // The journal failed: the delivery is made again after a restart, under the same id.
        }
      }
    };
  }
}
