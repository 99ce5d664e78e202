package io.eventsprocessor.ingest;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.eventsprocessor.event.EventDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/** {@code GET /openapi.json}: the API's contract, for tools. */
final class ApiDocument {
  private ApiDocument() {}

  static void routes(Router router, Vertx vertx) {
    // The OpenAPI contract: kept as YAML for people (src/main/resources/openapi.yaml), served as JSON for tools.
    // Converted once, on a worker thread, while the start goes on: the YAML parser's first use took a quarter of a
    // second, a sixth of the time to listening.
    Future<Buffer> openApi = vertx.executeBlocking(() ->
        Buffer.buffer(new YAMLMapper().readTree(ApiDocument.class.getResource("/openapi.yaml")).toString()), false);
    Health.readOnly(router, "/openapi.json").handler(ctx -> openApi.onComplete(document -> {
      if (document.succeeded()) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, EventDecoder.JSON).end(document.result());
      } else {
        Problem.send(ctx, 503, "The API document could not be read: " + document.cause().getMessage());
      }
    }));
  }
}
