package io.eventsprocessor.notify;

import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.time.DueTimer;
import io.eventsprocessor.time.Timers;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the {@link Outbox} to the notification service: POST with a timeout and an {@code Idempotency-Key}
 * equal to the notification id, behind a circuit breaker so that a service that is down is not hammered. What
 * becomes of each notification (delivered, dead-lettered, queued again) goes to its {@link DeliveryRecords}; on a
 * single node the outbox's contents go into the snapshots, asked for on the notifications' address so that they
 * hold every notification decided before the snapshot's position.
 */
public final class OutboxVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxVerticle.class);
  /** How long an attempt refused by an open circuit waits before it is offered again. */
  private static final long PAUSED_RETRY_MS = 100;

  /**
   * @param url                 the notification service's /v1/notify
   * @param timeout             how long one attempt may take
   * @param concurrency         attempts in flight at once while the circuit is closed (one per user at most)
   * @param breakerMaxFailures  failures that open the circuit
   * @param breakerResetTimeout how long the circuit stays open before one attempt probes the service
   */
  public record Settings(String url, Duration timeout, int concurrency, Outbox.Policy policy,
      int breakerMaxFailures, Duration breakerResetTimeout) {}

  /** The receiver answered a status that says "try again later" (see {@link #isRetryable}). */
  private static final class RetryableStatus extends RuntimeException {
    final HttpResponse<Buffer> response;

    RetryableStatus(HttpResponse<Buffer> response) {
      super("status " + response.statusCode(), null, false, false);
      this.response = response;
    }
  }

  private final Settings settings;
  private final Outbox outbox;
  private final OutboxStats stats;
  private final DeliveryRecords records;
  private final boolean ownDeadLetters;
  private final Clock clock;
  private final Timers timers;
  private WebClient client;
  private CircuitBreaker breaker;
  private DueTimer dueTimer;
  private boolean stopping;
  private Promise<Void> drained;

  /**
   * @param outbox         the outbox as recovered from the state directory
   * @param ownDeadLetters whether the admin API's dead letters are this outbox's (single node), or the cluster's
   * @param timers         the timers of retries and backoffs; null for Vert.x's own
   */
  public OutboxVerticle(Settings settings, Outbox outbox, OutboxStats stats, DeliveryRecords records,
      boolean ownDeadLetters, Clock clock, Timers timers) {
    this.settings = settings;
    this.outbox = outbox;
    this.stats = stats;
    this.records = records;
    this.ownDeadLetters = ownDeadLetters;
    this.clock = clock;
    this.timers = timers;
  }

  @Override
  public Future<?> start() {
    // As many connections as attempts in flight: an attempt must never wait for a connection inside its timeout.
    client = WebClient.create(vertx, new WebClientOptions().setUserAgent("events-processor"),
        new PoolOptions().setHttp1MaxSize(settings.concurrency()));
    breaker = CircuitBreaker.create("notification-service", vertx, new CircuitBreakerOptions()
            .setMaxFailures(settings.breakerMaxFailures())
            .setTimeout(-1)
            .setResetTimeout(settings.breakerResetTimeout().toMillis()))
        // The breaker may call these from its own timer; the outbox is only ever touched on this verticle's loop.
        .openHandler(v -> context.runOnContext(x -> LOG.warn(
            "circuit to the notification service OPEN: delivery paused, {} queued; probing again in {} ms",
            outbox.size(), settings.breakerResetTimeout().toMillis())))
        .halfOpenHandler(v -> context.runOnContext(x -> {
          LOG.info("circuit to the notification service HALF-OPEN: probing with one notification");
          outbox.wakeAll(clock.millis());
          dispatch();
        }))
        .closeHandler(v -> context.runOnContext(x -> {
          LOG.info("circuit to the notification service CLOSED: delivery resumes, {} queued", outbox.size());
          outbox.wakeAll(clock.millis());
          dispatch();
        }));
    dueTimer = new DueTimer(timers == null ? Timers.of(vertx) : timers, clock, this::dispatch);
    stats.set(outbox.size());
    dispatch();
    List<Future<Void>> registered = new java.util.ArrayList<>(List.of(
        vertx.eventBus().<Notification>localConsumer(EventAddresses.NOTIFICATIONS, this::onNotification).completion(),
        vertx.eventBus().<Void>localConsumer(EventAddresses.ADMIN_OUTBOX, m -> m.reply(status())).completion()));
    if (ownDeadLetters) {
      registered.add(vertx.eventBus().<Void>localConsumer(EventAddresses.ADMIN_DEAD_LETTERS,
          m -> m.reply(deadLetters())).completion());
      registered.add(vertx.eventBus().<String>localConsumer(EventAddresses.ADMIN_RETRY_DEAD_LETTER,
          this::onRetryDeadLetter).completion());
    }
    return Future.all(registered);
  }

  /** Lets the attempts in flight finish (each within the timeout); what is left is in the last snapshot. */
  @Override
  public Future<?> stop() {
    stopping = true;
    dueTimer.cancel();
    drained = Promise.promise();
    if (outbox.inFlight() == 0) {
      drained.tryComplete();
    }
    // An attempt ends within its timeout unless the receiver trickles bytes; past this, the receiver's
    // Idempotency-Key check absorbs the attempt that will be made again after the restart.
    long deadline = 2 * settings.timeout().toMillis() + 1000;
    vertx.setTimer(deadline, id -> drained.tryComplete());
    return drained.future().andThen(ar -> {
      LOG.info("outbox: stopped with {} notification(s) queued", outbox.size());
      client.close();
      breaker.close();
    });
  }

  private void onNotification(Message<Notification> message) {
    if (message.headers().contains(EventAddresses.SNAPSHOT_HEADER)) {
      message.reply(outbox.toJson());
      return;
    }
    Notification notification = message.body();
    stats.received.increment();
    if (!ownDeadLetters) {
      // In a cluster the user's entry says what is to be delivered: a dead letter it holds again was queued again.
      outbox.forgetDeadLetter(notification.id());
    }
    if (!outbox.offer(notification, clock.millis())) {
      LOG.debug("notification {} ({} for user {}) already queued or sent: not sent again",
          notification.id(), notification.kind(), notification.userId());
      return;
    }
    changed();
    dispatch();
  }

  private void dispatch() {
    if (stopping || breaker.state() == CircuitBreakerState.OPEN) {
      return;
    }
    int limit = breaker.state() == CircuitBreakerState.CLOSED ? settings.concurrency() : 1;
    long now = clock.millis();
    for (Outbox.Pending pending : outbox.takeDue(now, limit - outbox.inFlight())) {
      attempt(pending);
    }
    if (outbox.inFlight() < limit) {
      dueTimer.require(outbox.nextDueAt()); // when every slot is busy, the next completion dispatches again
    }
  }

  private void attempt(Outbox.Pending pending) {
    Notification n = pending.notification();
    breaker.<HttpResponse<Buffer>>execute(promise -> client.postAbs(settings.url())
            .timeout(settings.timeout().toMillis())
            .putHeader("Idempotency-Key", n.id())
            .sendJsonObject(n.toJson())
            .onSuccess(response -> {
              if (isRetryable(response.statusCode())) {
                promise.fail(new RetryableStatus(response));
              } else {
                promise.complete(response);
              }
            })
            .onFailure(promise::fail))
        .onComplete(result -> {
          long now = clock.millis();
          if (result.succeeded() && result.result().statusCode() / 100 == 2) {
            outbox.delivered(pending, now);
            records.delivered(n, now);
            stats.delivered.increment();
            stats.observer().delivered(now - pending.queuedAt(), pending.attempts() + 1);
            LOG.atInfo().addKeyValue("notificationId", n.id()).addKeyValue("userId", n.userId())
                .addKeyValue("eventId", n.triggeredBy())
                .log("notification {} ({} for user {}) delivered on attempt {}: {}",
                    n.id(), n.kind(), n.userId(), pending.attempts() + 1, n.message());
          } else if (result.failed() && result.cause() instanceof OpenCircuitException) {
            outbox.release(pending, now + PAUSED_RETRY_MS);
          } else {
            Outbox.Failure failure = result.succeeded()
                ? new Outbox.Failure(false, null, "status " + result.result().statusCode())
                : classify(result.cause());
            report(outbox.failed(pending, failure, now, ThreadLocalRandom.current().nextDouble()));
          }
          changed();
          if (stopping && outbox.inFlight() == 0 && drained != null) {
            drained.tryComplete();
          }
          dispatch();
        });
  }

  /**
   * Statuses that mean "not now" rather than "never": server errors, 429, 408, and 409/425, which a receiver
   * that deduplicates by Idempotency-Key answers while an earlier attempt with the same key is still running.
   * Any other 4xx means the request itself is wrong: retrying cannot help.
   */
  static boolean isRetryable(int status) {
    return status >= 500 || status == 429 || status == 408 || status == 409 || status == 425;
  }

  private static Outbox.Failure classify(Throwable cause) {
    if (cause instanceof RetryableStatus status) {
      return new Outbox.Failure(true, retryAfter(status.response.getHeader("Retry-After")), status.getMessage());
    }
    return new Outbox.Failure(true, null, cause.toString());
  }

  /** Retry-After in seconds; the HTTP-date form is rare from APIs and is treated as absent. */
  static Duration retryAfter(String header) {
    if (header == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void report(Outbox.Verdict verdict) {
    Outbox.Pending p = verdict.pending();
    (verdict.deadLettered() ? stats.deadLettered : stats.retried).increment();
    if (verdict.deadLettered()) {
      records.deadLettered(outbox.deadLetter(p.id()));
      stats.observer().deadLettered(p.attempts());
      // The whole notification goes to the log: even once the bounded dead letters forget it, it can be rebuilt.
      LOG.atError().addKeyValue("notificationId", p.id()).addKeyValue("userId", p.userId())
          .addKeyValue("eventId", p.notification().triggeredBy())
          .log("notification {} ({} for user {}) is a dead letter after {} attempt(s): {}; notification: {}", p.id(),
              p.notification().kind(), p.userId(), p.attempts(), p.lastError(), p.notification().toJson().encode());
    } else {
      LOG.atWarn().addKeyValue("notificationId", p.id()).addKeyValue("userId", p.userId())
          .addKeyValue("eventId", p.notification().triggeredBy())
          .log("notification {} attempt {} failed ({}); next attempt in {} ms",
              p.id(), p.attempts(), p.lastError(), verdict.retryAt() - clock.millis());
    }
  }

  private void changed() {
    stats.set(outbox.size());
  }

  private JsonObject status() {
    return new JsonObject()
        .put("queued", outbox.size())
        .put("inFlight", outbox.inFlight())
        .put("capacity", stats.capacity())
        .put("deadLetters", outbox.deadLetters().size())
        .put("circuit", breaker.state().name());
  }

  private JsonArray deadLetters() {
    JsonArray list = new JsonArray();
    for (Outbox.DeadLetter d : outbox.deadLetters()) {
      list.add(d.toJson());
    }
    return list;
  }

  private void onRetryDeadLetter(Message<String> message) {
    Outbox.DeadLetter dead = outbox.deadLetter(message.body());
    if (dead == null || !outbox.retryDeadLetter(message.body(), clock.millis())) {
      message.fail(404, "no dead letter with id " + message.body());
      return;
    }
    records.requeued(dead.notification(), clock.millis());
    LOG.info("dead letter {} queued again by an operator", message.body());
    changed();
    dispatch();
    message.reply(new JsonObject().put("id", message.body()).put("status", "queued"));
  }
}
