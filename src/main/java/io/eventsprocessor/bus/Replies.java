package io.eventsprocessor.bus;

/**
 * What the rules answer an {@link EventBatch}: each event's {@link Reply}, or why it was refused (the state could
 * not be kept: the edge answers it 503), by the event's index in the batch.
 */
public final class Replies {
  private final Reply[] replies;
  private final String[] refusals;

  Replies(int size) {
    this.replies = new Reply[size];
    this.refusals = new String[size];
  }

  /** The event's reply, or null when it was refused. */
  public Reply reply(int index) {
    return replies[index];
  }

  /** Why the event was refused, or null when it has a reply. */
  public String refusal(int index) {
    return refusals[index];
  }

  public int size() {
    return replies.length;
  }

  void set(int index, Reply reply, String refusal) {
    replies[index] = reply;
    refusals[index] = refusal;
  }
}
