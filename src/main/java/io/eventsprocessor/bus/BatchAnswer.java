package io.eventsprocessor.bus;

import io.eventsprocessor.event.Event;
import io.vertx.core.eventbus.Message;

/**
 * The rules' side of an {@link EventBatch}: each event is answered on its own, whenever it is decided (at once for
 * a duplicate, once durable for an accepted one), and the message is answered once every event is. Used from the
 * rules verticle's thread only.
 */
public final class BatchAnswer {
  private final Message<EventBatch> message;
  private final Replies replies;
  private int unanswered;

  public BatchAnswer(Message<EventBatch> message) {
    this.message = message;
    this.unanswered = message.body().events().size();
    this.replies = new Replies(unanswered);
  }

  public Event event(int index) {
    return message.body().events().get(index);
  }

  public int size() {
    return replies.size();
  }

  public void reply(int index, Reply reply) {
    answer(index, reply, null);
  }

  /** The event could not be taken now; {@code why} is what its 503 says. */
  public void refuse(int index, String why) {
    answer(index, null, why);
  }

  private void answer(int index, Reply reply, String refusal) {
    if (replies.reply(index) != null || replies.refusal(index) != null) {
      throw new IllegalStateException("event " + index + " of the batch is answered already");
    }
    replies.set(index, reply, refusal);
    if (--unanswered == 0) {
      message.reply(replies);
    }
  }
}
