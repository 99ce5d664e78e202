package io.eventsprocessor.bus;

/**
 * What the rules answer the edge for an event they were handed, the same in both modes: the event was applied
 * (and is durable), or the same user sent the same id within the duplicate window and it was applied before. In a
 * cluster, the user's owner also keeps the user's rate (it sees every event of the user, whichever node took it):
 * {@code LIMITED} says the event was over it and nothing was kept. A refusal (the state cannot be kept now) is no
 * reply: {@link Replies} carries its reason in the reply's place.
 */
public enum Reply {
  ACCEPTED, DUPLICATE, LIMITED;

  private static final Reply[] ALL = values();

  /** Replies as bytes, one each, for a call that answers several events at once (the cluster's). */
  public static byte[] encode(Reply[] replies) {
    byte[] bytes = new byte[replies.length];
    for (int i = 0; i < replies.length; i++) {
      bytes[i] = (byte) replies[i].ordinal();
    }
    return bytes;
  }

  public static Reply decode(byte value) {
    return ALL[value];
  }
}
