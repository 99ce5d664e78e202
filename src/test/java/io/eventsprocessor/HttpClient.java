package io.eventsprocessor;

import io.eventsprocessor.contract.OpenApiContract;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Blocking calls for tests, from the test thread (never from an event loop). */
public final class HttpClient {

  /** A response as a test looks at it. */
  public record Response(int status, String contentType, String body, String retryAfter, String wwwAuthenticate,
      Map<String, String> headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    /** A header of the answer, by its name in any case; null when absent. */
    public String header(String name) {
      return headers.get(name);
    }

    /** A batch answer's per-event statuses, in order. */
    public java.util.List<String> statuses() {
      return json().getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("status")).toList();
    }
  }

  /** Sees every response a client receives, before the test does; throws to fail the test. */
  @FunctionalInterface
  public interface Observer {
    void received(HttpMethod method, String path, HttpResponse<Buffer> response);
  }

  /** Fails the test when a response is not what the OpenAPI contract (src/main/resources/openapi.yaml) says. */
  public static final Observer CONTRACT = (method, path, response) -> {
    OpenApiContract.Checked checked = OpenApiContract.get().check(method.name(), path, response.statusCode(),
        headers(response), response.bodyAsString());
    if (!checked.conforms()) {
      throw new AssertionError("The answer " + response.statusCode() + " to " + method + " " + path
          + " breaks the OpenAPI contract (" + checked.response() + "): " + checked.violations()
          + "\nbody: " + response.bodyAsString());
    }
  };

  private final WebClient client;
  private final int port;
  private volatile Observer observer = (method, path, response) -> {};

  public HttpClient(Vertx vertx, int port) {
    this(vertx, port, true);
  }

  /**
   * @param keepAlive false for requests the server may answer by closing the connection (oversized headers):
   *                  a pooled connection could otherwise be reused just as it closes
   */
  public HttpClient(Vertx vertx, int port, boolean keepAlive) {
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(keepAlive));
    this.port = port;
  }

  /** Shows every response to {@code observer} first, e.g. {@link #CONTRACT}. */
  public HttpClient observedBy(Observer observer) {
    this.observer = observer;
    return this;
  }

  public Response post(String path, String contentType, Buffer body) {
    return post(path, contentType, body, Map.of());
  }

  /** With extra headers, such as Authorization or CloudEvents' ce-*. */
  public Response post(String path, String contentType, Buffer body, Map<String, String> headers) {
    var request = client.request(HttpMethod.POST, port, "127.0.0.1", path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    headers.forEach(request::putHeader);
    return toResponse(HttpMethod.POST, path, request.sendBuffer(body));
  }

  public Response postJson(String path, String json, Map<String, String> headers) {
    return post(path, "application/json", Buffer.buffer(json), headers);
  }

  public Response postBatch(String json) {
    return postJson("/v1/events", json);
  }

  public Response postJson(String path, String json) {
    return post(path, "application/json", Buffer.buffer(json));
  }

  public Response postEvent(String json) {
    return postJson("/v1/event", json);
  }

  public Response get(String path) {
    return toResponse(HttpMethod.GET, path, client.request(HttpMethod.GET, port, "127.0.0.1", path).send());
  }

  public Response getWithBearer(String path, String token) {
    return toResponse(HttpMethod.GET, path,
        client.request(HttpMethod.GET, port, "127.0.0.1", path).bearerTokenAuthentication(token).send());
  }

  public Response request(HttpMethod method, String path) {
    return toResponse(method, path, client.request(method, port, "127.0.0.1", path).send());
  }

  private Response toResponse(HttpMethod method, String path, io.vertx.core.Future<HttpResponse<Buffer>> future) {
    try {
      HttpResponse<Buffer> r = future.await(10, TimeUnit.SECONDS);
      observer.received(method, path, r);
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.putAll(headers(r));
      return new Response(r.statusCode(), r.getHeader("Content-Type"), r.bodyAsString(), r.getHeader("Retry-After"),
          r.getHeader("WWW-Authenticate"), headers);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no response within 10 s", e);
    }
  }

  /** A response's headers by name (the last value of a repeated one). */
  public static Map<String, String> headers(HttpResponse<?> response) {
    Map<String, String> headers = new LinkedHashMap<>();
    response.headers().forEach(header -> headers.put(header.getKey(), header.getValue()));
    return headers;
  }

  /** A file under src/test/resources, as it is on disk. */
  public static String resource(String path) {
    try {
      return Files.readString(Path.of("src/test/resources", path));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
