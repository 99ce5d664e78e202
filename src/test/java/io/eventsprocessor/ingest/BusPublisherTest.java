package io.eventsprocessor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventsprocessor.bus.BatchAnswer;
import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.bus.EventBatch;
import io.eventsprocessor.bus.LocalCodec;
import io.eventsprocessor.bus.Replies;
import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.event.Event;
import io.eventsprocessor.ingest.Admission.Status;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What an edge hands the rules: what one turn of its event loop admitted, as one message, answered event by event. */
@ExtendWith(VertxExtension.class)
class BusPublisherTest {
  static final Instant AT = Instant.parse("2026-01-01T10:00:00Z");

  Vertx vertx;
  Context edge;
  BusPublisher publisher;
  final List<List<String>> batches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    LocalCodec.register(vertx.eventBus(), Event.class, EventBatch.class, Replies.class);
    edge = vertx.getOrCreateContext();
    publisher = new BusPublisher(vertx.eventBus());
  }

  /** The rules, as far as the edge sees them: they answer each event by its id. */
  void rules(String... types) throws Exception {
    for (String type : types) {
      vertx.eventBus().<EventBatch>localConsumer(EventAddresses.forType(type), message -> {
        batches.add(message.body().events().stream().map(Event::id).toList());
        BatchAnswer answer = new BatchAnswer(message);
        for (int i = 0; i < answer.size(); i++) {
          String id = answer.event(i).id();
          if (id.startsWith("refused")) {
            answer.refuse(i, "the disk is full");
          } else {
            answer.reply(i, id.startsWith("again") ? Reply.DUPLICATE : Reply.ACCEPTED);
          }
        }
      }).completion().await(15, TimeUnit.SECONDS);
    }
  }

  static Event event(String id, String type) {
    return new Event(id, type, "u", "d", AT, AT, Map.of());
  }

  /** Runs {@code calls} in one turn of the edge's event loop. */
  <T> T onEdge(Supplier<T> calls) throws Exception {
    Promise<T> result = Promise.promise();
    edge.runOnContext(v -> result.complete(calls.get()));
    return result.future().await(15, TimeUnit.SECONDS);
  }

  /** How each answer reads: its status, or the reason it is unavailable. */
  static List<String> answers(List<Future<Status>> futures) throws Exception {
    Future.join(futures).otherwiseEmpty().await(15, TimeUnit.SECONDS);
    return futures.stream().map(f -> f.succeeded() ? f.result().wire : f.cause().getMessage()).toList();
  }

  @Test
  void whatOneTurnAdmitsGoesAsOneMessageInOrderAndEachEventHasItsOwnAnswer() throws Exception {
    rules("app_launch", "program_started");
    List<Future<Status>> futures = onEdge(() -> List.of(
        publisher.accepted(event("e1", "app_launch")),
        publisher.accepted(event("again-e0", "program_started")),
        publisher.accepted(event("refused-e2", "app_launch")),
        publisher.accepted(event("e3", "program_started"))));

    assertThat(answers(futures)).containsExactly("accepted", "duplicate", "the disk is full", "accepted");
    // One message, to the address of its first event's type, whose consumer takes every type of the rules.
    assertThat(batches).containsExactly(List.of("e1", "again-e0", "refused-e2", "e3"));

    // The next turn sends the next message.
    assertThat(answers(onEdge(() -> List.of(publisher.accepted(event("e4", "app_launch")))))).containsExactly("accepted");
    assertThat(batches).hasSize(2).last().isEqualTo(List.of("e4"));
  }

  @Test
  void withoutRulesToAnswerEveryEventOfTheTurnIsUnavailable() throws Exception {
    List<Future<Status>> futures = onEdge(() -> List.of(publisher.accepted(event("e1", "app_launch")),
        publisher.accepted(event("e2", "app_launch"))));
    assertThat(answers(futures)).allSatisfy(answer -> assertThat(answer).startsWith("the rules did not answer"));
  }
}
