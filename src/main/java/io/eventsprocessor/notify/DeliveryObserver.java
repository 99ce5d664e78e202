package io.eventsprocessor.notify;

/**
 * What the outbox tells of each notification's fate, as it happens (for the delivery histograms). Called on the
 * outbox's event loop, once per notification: it must be cheap and must not block.
 */
public interface DeliveryObserver {
  DeliveryObserver NONE = new DeliveryObserver() {
    @Override
    public void delivered(long sinceQueuedMillis, int attempts) {}

    @Override
    public void deadLettered(int attempts) {}
  };

  /**
   * @param sinceQueuedMillis from the moment the outbox took it (at once after the rules decided it, on a single
   *                          node) to the receiver's 2xx
   * @param attempts          attempts made, the successful one included
   */
  void delivered(long sinceQueuedMillis, int attempts);

  void deadLettered(int attempts);
}
