package io.eventsprocessor.notify;

import io.eventsprocessor.event.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the notifications the rules decide on to the notification service: one POST per notification,
 * with a timeout, an {@code Idempotency-Key} equal to the notification id, and retries with a growing delay.
 */
public final class NotifierVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotifierVerticle.class);

  /**
   * @param url            the notification service's /v1/notify
   * @param timeout        how long one attempt may take
   * @param maxAttempts    attempts in all, the first included
   * @param initialBackoff the delay before the second attempt; it doubles per attempt up to {@code maxBackoff}
   */
  public record Settings(String url, Duration timeout, int maxAttempts, Duration initialBackoff, Duration maxBackoff) {}

  private final Settings settings;
  private WebClient client;

  public NotifierVerticle(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    client = WebClient.create(vertx, new WebClientOptions().setUserAgent("events-processor"));
    return vertx.eventBus().<JsonObject>localConsumer(EventAddresses.NOTIFICATIONS, this::onNotification).completion();
  }

  @Override
  public Future<?> stop() {
    client.close();
    return Future.succeededFuture();
  }

  private void onNotification(Message<JsonObject> message) {
    deliver(message.body(), 1);
  }

  private void deliver(JsonObject notification, int attempt) {
    String id = notification.getString("id");
    client.postAbs(settings.url())
        .timeout(settings.timeout().toMillis())
        .putHeader("Idempotency-Key", id)
        .sendJsonObject(notification)
        .expecting(HttpResponseExpectation.SC_SUCCESS)
        .onSuccess(response -> LOG.info("notification {} ({} for user {}) delivered on attempt {}: {}",
            id, notification.getString("kind"), notification.getString("userId"), attempt, notification.getString("message")))
        .onFailure(failure -> {
          if (attempt >= settings.maxAttempts()) {
            LOG.error("notification {} not delivered after {} attempts, giving up: {}", id, attempt, failure.getMessage());
            return;
          }
          long delay = backoff(attempt);
          LOG.warn("notification {} attempt {} failed ({}); retrying in {} ms", id, attempt, failure.getMessage(), delay);
          vertx.setTimer(delay, t -> deliver(notification, attempt + 1));
        });
  }

  /** initialBackoff, doubled per failed attempt, capped at maxBackoff. */
  long backoff(int failedAttempts) {
    long initial = settings.initialBackoff().toMillis();
    long doubled = initial << Math.min(failedAttempts - 1, 30);
    return Math.max(1, Math.min(doubled, settings.maxBackoff().toMillis()));
  }
}
