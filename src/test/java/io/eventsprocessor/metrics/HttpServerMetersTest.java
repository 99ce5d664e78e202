package io.eventsprocessor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HttpServerMetersTest {
  private final PrometheusMeterRegistry registry = MetricsSetup.newRegistry();
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    Router router = Router.router(vertx);
    router.route().handler(new HttpServerMeters(registry));
    // Two routes on one path, as the HTTP API has (the gate, then the body): one route in the label.
    router.post("/v1/event").handler(ctx -> ctx.next());
    router.post("/v1/event").handler(ctx -> ctx.response().setStatusCode(202).end());
    router.get("/items/:id").handler(ctx -> ctx.response().end(ctx.pathParam("id")));
    router.errorHandler(404, ctx -> ctx.response().setStatusCode(404).end());
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private int call(HttpMethod method, String path) throws Exception {
    return client.request(method, server.actualPort(), "127.0.0.1", path)
        .compose(request -> request.send().compose(response -> response.body().map(b -> response)))
        .map(HttpClientResponse::statusCode)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private double requests(String route, String code, String method) {
    var counter = registry.find(HttpServerMeters.REQUESTS).tags("route", route, "code", code, "method", method)
        .counter();
    return counter == null ? 0 : counter.count();
  }

  /** Requests counted, under any labels. */
  private double answered() {
    return registry.find(HttpServerMeters.REQUESTS).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void eachRequestIsCountedAndTimedByItsRouteStatusAndMethod() throws Exception {
    assertThat(call(HttpMethod.POST, "/v1/event")).isEqualTo(202);
    assertThat(call(HttpMethod.POST, "/v1/event")).isEqualTo(202);
    assertThat(call(HttpMethod.GET, "/items/7")).isEqualTo(200);
    assertThat(call(HttpMethod.GET, "/nowhere/the/client/chose")).isEqualTo(404);

    // The server counts a request once its answer is written, which the client may read first.
    await().atMost(Duration.ofSeconds(5)).until(() -> answered() == 4);
    assertThat(requests("/v1/event", "202", "POST")).isEqualTo(2);
    // The route as declared, not the path the client sent: the labels stay a fixed set.
    assertThat(requests("/items/:id", "200", "GET")).isEqualTo(1);
    assertThat(requests("", "404", "GET")).isEqualTo(1);
    assertThat(registry.find(HttpServerMeters.REQUESTS).counters()).hasSize(3);
    var timer = registry.get(HttpServerMeters.RESPONSE_TIME).tags("route", "/v1/event", "code", "202").timer();
    assertThat(timer.count()).isEqualTo(2);
    assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(registry.scrape()).contains("vertx_http_server_response_time_seconds_bucket{code=\"202\","
        + "method=\"POST\",route=\"/v1/event\",le=\"0.001\"}");
  }

  @Test
  void aMethodAClientMadeUpIsCountedAsOther() throws Exception {
    assertThat(call(HttpMethod.valueOf("BREW"), "/v1/event")).isEqualTo(405);
    assertThat(call(HttpMethod.valueOf("AAAA"), "/v1/event")).isEqualTo(405);
    await().atMost(Duration.ofSeconds(5)).until(() -> answered() == 2);
    assertThat(registry.find(HttpServerMeters.REQUESTS).counters())
        .extracting(counter -> counter.getId().getTag("method")).containsOnly("OTHER");
  }
}
