package io.eventsprocessor.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CompletionStage;

/**
 * A Hazelcast call's result, back on a verticle's context. Hazelcast runs a callback registered without an executor
 * on its default async executor: the common fork-join pool or, where that pool has no parallelism (a machine of two
 * cores or fewer), a new thread per callback. Under load that was a thousand threads started a second on a node, and
 * most of its CPU. The callback here only schedules the result onto the context, so it runs on the thread that
 * completes the call.
 */
final class OnContext {
  private OnContext() {}

  static <T> Future<T> of(CompletionStage<T> stage, Context context) {
    Promise<T> promise = Promise.promise();
    stage.whenCompleteAsync((value, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        promise.fail(failure);
      } else {
        promise.complete(value);
      }
    }), Runnable::run);
    return promise.future();
  }
}
