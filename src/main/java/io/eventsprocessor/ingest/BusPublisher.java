package io.eventsprocessor.ingest;

import io.eventsprocessor.bus.EventBatch;
import io.eventsprocessor.bus.EventAddresses;
import io.eventsprocessor.bus.Replies;
import io.eventsprocessor.bus.Reply;
import io.eventsprocessor.event.Event;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.List;

/**
 * An edge's {@link Admission.Publisher} on the event bus. The events it is handed in one turn of the edge's event
 * loop (every request read in that turn: single events, batches) go to the rules as one {@link EventBatch}, sent
 * at the end of the turn, and come back as one reply: the hop, its reply address and its timeout are paid per
 * turn, not per event, as a journal's sync is paid per group of records. Events keep their order, so each user's
 * do. One per edge: used from that edge's event loop only.
 */
public final class BusPublisher implements Admission.Publisher {
  private final EventBus bus;
  private List<Event> events;
  private List<Promise<Admission.Status>> answers;

  public BusPublisher(EventBus bus) {
    this.bus = bus;
  }

  @Override
  public Future<Admission.Status> accepted(Event event) {
    if (events == null) {
      events = new ArrayList<>();
      answers = new ArrayList<>();
      // Runs after what this turn of the event loop still has to do: the other requests read in it.
      Vertx.currentContext().runOnContext(v -> send());
    }
    Promise<Admission.Status> answer = Promise.promise();
    events.add(event);
    answers.add(answer);
    return answer.future();
  }

  private void send() {
    EventBatch batch = new EventBatch(events);
    List<Promise<Admission.Status>> waiting = answers;
    events = null;
    answers = null;
    bus.<Replies>request(batch.address(), batch).onComplete(done -> {
      if (done.failed()) {
        Admission.Unavailable failure =
            new Admission.Unavailable("the rules did not answer (" + done.cause().getMessage() + ")");
        waiting.forEach(answer -> answer.fail(failure));
        return;
      }
      Replies replies = done.result().body();
      for (int i = 0; i < waiting.size(); i++) {
        Reply reply = replies.reply(i);
        if (reply == null) {
          waiting.get(i).fail(new Admission.Unavailable(replies.refusal(i)));
        } else {
          waiting.get(i).complete(switch (reply) {
            case ACCEPTED -> Admission.Status.ACCEPTED;
            case DUPLICATE -> Admission.Status.DUPLICATE;
            case LIMITED -> Admission.Status.RATE_LIMITED;
          });
        }
      }
    });
  }

  @Override
  public void unsupported(Event event) {
    bus.send(EventAddresses.UNSUPPORTED, event);
  }
}
