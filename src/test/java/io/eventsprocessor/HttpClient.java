package io.eventsprocessor;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Blocking calls for tests, from the test thread (never from an event loop). */
public final class HttpClient {

  /** A response as a test looks at it. */
  public record Response(int status, String contentType, String body, String retryAfter, String wwwAuthenticate) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    /** A batch answer's per-event statuses, in order. */
    public java.util.List<String> statuses() {
      return json().getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("status")).toList();
    }
  }

  private final WebClient client;
  private final int port;

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
    return toResponse(request.sendBuffer(body));
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
    return toResponse(client.request(HttpMethod.GET, port, "127.0.0.1", path).send());
  }

  public Response getWithBearer(String path, String token) {
    return toResponse(client.request(HttpMethod.GET, port, "127.0.0.1", path).bearerTokenAuthentication(token).send());
  }

  public Response request(HttpMethod method, String path) {
    return toResponse(client.request(method, port, "127.0.0.1", path).send());
  }

  private static Response toResponse(io.vertx.core.Future<HttpResponse<Buffer>> future) {
    try {
      HttpResponse<Buffer> r = future.await(10, TimeUnit.SECONDS);
      return new Response(r.statusCode(), r.getHeader("Content-Type"), r.bodyAsString(), r.getHeader("Retry-After"),
          r.getHeader("WWW-Authenticate"));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no response within 10 s", e);
    }
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
