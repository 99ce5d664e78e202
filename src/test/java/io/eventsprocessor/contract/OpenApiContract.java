package io.eventsprocessor.contract;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The OpenAPI document of the public API ({@code src/main/resources/openapi.yaml}) as a checker for tests: whether a
 * request body, or a response (status, content type, required headers, body), is what the document says.
 *
 * <p>Why not vertx-openapi's {@code RequestValidator} and {@code ResponseValidator}: in 5.0.7 its
 * {@code OpenAPIContract} refuses a document whose media types are not {@code application/json}, {@code text/plain},
 * {@code multipart/form-data}, {@code application/octet-stream}, {@code application/hal+json} or vendor types
 * ({@code application/vnd.…+json}), and ours has {@code application/problem+json},
 * {@code application/cloudevents+json} and {@code application/cloudevents-batch+json} (the media type registry of
 * a later vertx-openapi, eclipse-vertx/vertx-openapi#118, lifts this). So this class does what
 * {@code OpenAPIContract.from} and the validators do, with vertx-openapi's own parts: it checks the document against
 * the OpenAPI 3.1 schema (and each schema in it against JSON Schema 2020-12), resolves its {@code $ref}s, and
 * validates bodies with vertx-json-schema against the media types' schemas.
 *
 * <p>Every check returns the list of violations, empty when the exchange conforms, so that tests can assert both.
 * Immutable once loaded and safe to use from several threads.
 */
public final class OpenApiContract {
  /** The document, on the class path. */
  public static final String RESOURCE = "openapi.yaml";
  /** What the document calls the responses shared by requests that match none of its operations. */
  private static final Map<Integer, String> SHARED_RESPONSES =
      Map.of(400, "OtherError", 404, "NotFound", 405, "MethodNotAllowed", 414, "UriTooLong", 431, "HeadersTooLarge");
  /** Request bodies are read as the service reads them: a trailing comma is accepted, a duplicated key is not. */
  private static final ObjectMapper LENIENT_JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /** What {@link #parseRequestBody} answers for a body that is not JSON ({@code null} is the JSON value null). */
  private static final Object NOT_JSON = new Object();

  private static volatile OpenApiContract loaded;

  private final JsonObject document;
  private final JsonObject resolved;
  private final SchemaRepository repository;

  /** Where a response was looked up, and what is wrong with it (nothing when it conforms). */
  public record Checked(String operationId, String response, List<String> violations) {
    public boolean conforms() {
      return violations.isEmpty();
    }
  }

  private OpenApiContract(JsonObject document, JsonObject resolved, SchemaRepository repository) {
    this.document = document;
    this.resolved = resolved;
    this.repository = repository;
  }

  /** The document from the class path, checked and resolved once per JVM (about a second). */
  public static OpenApiContract get() {
    OpenApiContract contract = loaded;
    if (contract == null) {
      synchronized (OpenApiContract.class) {
        if (loaded == null) {
          try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
              throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            loaded = load(readYaml(in.readAllBytes()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        contract = loaded;
      }
    }
    return contract;
  }

  /**
   * YAML to JSON, as the service will do to serve the document: Jackson reads YAML scalars as JSON would (no dates
   * or other YAML-only types), so the JSON is what the file says.
   */
  public static JsonObject readYaml(byte[] yaml) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = new YAMLMapper().readValue(yaml, Map.class);
    return new JsonObject(map);
  }

  /**
   * Checks {@code document} against the OpenAPI 3.1 schema and resolves it, with vertx-openapi's own steps (its
   * schema repository holds the OpenAPI and JSON Schema 2020-12 meta-schemas); a document that is not valid OpenAPI
   * 3.1 fails here, with the schema's errors.
   */
  public static OpenApiContract load(JsonObject document) {
    OpenAPIVersion version = OpenAPIVersion.fromContract(document);
    if (version != OpenAPIVersion.V3_1) {
      throw new IllegalArgumentException("the contract must be OpenAPI 3.1, not " + document.getString("openapi"));
    }
    // A Vert.x of its own: loading reads the meta-schemas through its file system; validating needs none.
    Vertx vertx = Vertx.vertx();
    try {
      SchemaRepository repository = version.getRepository(vertx, "app://").await(30, TimeUnit.SECONDS);
      OutputUnit result = version.validateContract(vertx, repository, document).await(30, TimeUnit.SECONDS);
      if (!Boolean.TRUE.equals(result.getValid())) {
        throw new IllegalArgumentException(RESOURCE + " is not valid OpenAPI 3.1: " + describe(result));
      }
      // The OpenAPI schema checks a schema object only for being an object: each is checked against the dialect the
      // document declares, JSON Schema 2020-12, so that a misspelt type or a non-numeric maxLength is caught.
      List<String> invalidSchemas = new ArrayList<>();
      forEachSchema(document, "#", (pointer, schema) -> {
        OutputUnit unit = repository.validator(document.getString("jsonSchemaDialect")).validate(schema);
        if (!Boolean.TRUE.equals(unit.getValid())) {
          invalidSchemas.add(pointer + ": " + describe(unit));
        }
      });
      if (!invalidSchemas.isEmpty()) {
        throw new IllegalArgumentException(RESOURCE + " has schemas that are not JSON Schema 2020-12: " + invalidSchemas);
      }
      JsonObject resolved = version.resolve(vertx, repository, document.copy()).await(30, TimeUnit.SECONDS);
      return new OpenApiContract(document, withoutAnnotations(resolved), repository);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("loading " + RESOURCE + " took too long", e);
    } finally {
      vertx.close();
    }
  }

  /** The schema objects of a document: its components' schemas and every "schema" member, at any depth. */
  private static void forEachSchema(JsonObject node, String pointer, java.util.function.BiConsumer<String, Object> action) {
    for (String key : node.fieldNames()) {
      Object value = node.getValue(key);
      String at = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
      if (key.equals("schema")) {
        action.accept(at, value);
      } else if (key.equals("schemas") && pointer.equals("#/components") && value instanceof JsonObject schemas) {
        schemas.fieldNames().forEach(name -> action.accept(at + "/" + name, schemas.getValue(name)));
      } else if (value instanceof JsonObject child) {
        forEachSchema(child, at, action);
      }
    }
  }

  /** The document as written, with its {@code $ref}s. */
  public JsonObject document() {
    return document.copy();
  }

  /** The document with every {@code $ref} replaced by what it points to. */
  public JsonObject resolved() {
    return resolved.copy();
  }

  /** The operation with this id (resolved), or null. */
  public JsonObject operation(String operationId) {
    for (String path : resolved.getJsonObject("paths").fieldNames()) {
      JsonObject item = resolved.getJsonObject("paths").getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && operationId.equals(op.getString("operationId"))) {
          return op;
        }
      }
    }
    return null;
  }

  /** The id of the operation for this method and path (a query is ignored), or null. */
  public String operationId(String method, String path) {
    JsonObject item = pathItem(path);
    if (item == null || !(item.getValue(method.toLowerCase(Locale.ROOT)) instanceof JsonObject op)) {
      return null;
    }
    return op.getString("operationId");
  }

  /** The path item of a request's path: the one of that exact path, else the one whose template it fills. */
  private JsonObject pathItem(String pathAndQuery) {
    int query = pathAndQuery.indexOf('?');
    String path = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
    JsonObject paths = resolved.getJsonObject("paths");
    if (paths.containsKey(path)) {
      return paths.getJsonObject(path);
    }
    for (String template : paths.fieldNames()) {
      if (template.contains("{") && path.matches(templatePattern(template))) {
        return paths.getJsonObject(template);
      }
    }
    return null;
  }

  /** A path template as a regular expression: each {parameter} is one non-empty segment. */
  private static String templatePattern(String template) {
    return java.util.Arrays.stream(template.split("\\{[^}/]+}", -1)).map(java.util.regex.Pattern::quote)
        .collect(java.util.stream.Collectors.joining("[^/]+"));
  }

  // Requests

  /**
   * What is wrong with a request's body and headers for an operation.
   *
   * @param contentType the request's Content-Type, parameters allowed
   * @param headers     the other request headers that matter (CloudEvents' {@code ce-*}); names in any case
   * @param body        the body as sent; empty or null for none
   */
  public List<String> requestViolations(String operationId, String contentType, Map<String, String> headers,
      String body) {
    JsonObject operation = operation(operationId);
    if (operation == null) {
      return List.of("no operation " + operationId + " in " + RESOURCE);
    }
    List<String> violations = new ArrayList<>();
    Map<String, String> byName = caseInsensitive(headers);
    JsonObject content = operation.getJsonObject("requestBody", new JsonObject()).getJsonObject("content", new JsonObject());
    String mediaType = mediaType(contentType);
    if (!content.containsKey(mediaType)) {
      violations.add("request Content-Type " + contentType + " is not one of " + content.fieldNames());
      return violations;
    }
    boolean hasBody = body != null && !body.isEmpty();
    if (isBinaryCloudEvent(operation, mediaType, byName)) {
      // The one rule the document can state only in words: in binary mode the body is the event's data and the
      // attributes are ce-* headers. The event they make together must be a CloudEvent, as the service reads it.
      violations.addAll(headerParameterViolations(operation, byName));
      JsonObject event = new JsonObject();
      byName.forEach((name, value) -> {
        if (name.toLowerCase(Locale.ROOT).startsWith("ce-") && name.length() > 3) {
          event.put(name.substring(3).toLowerCase(Locale.ROOT), percentDecode(value));
        }
      });
      event.put("datacontenttype", contentType);
      if (hasBody) {
        Object data = parseRequestBody(body, violations);
        if (data == NOT_JSON) {
          return violations;
        }
        event.put("data", data);
      }
      violations.addAll(schemaViolations(resolved.getJsonObject("components").getJsonObject("schemas")
          .getJsonObject("CloudEvent"), event, "binary-mode CloudEvent"));
      return violations;
    }
    if (!hasBody) {
      // The document says "required: false" only for binary mode's sake; any other request needs its body.
      violations.add("the request has no body");
      return violations;
    }
    Object parsed = parseRequestBody(body, violations);
    if (parsed != NOT_JSON) {
      violations.addAll(schemaViolations(content.getJsonObject(mediaType).getJsonObject("schema"), parsed, "request body"));
    }
    return violations;
  }

  private static boolean isBinaryCloudEvent(JsonObject operation, String mediaType, Map<String, String> headers) {
    return mediaType.equals("application/json") && headers.containsKey("ce-specversion")
        && operation.getJsonArray("parameters", new JsonArray()).stream()
            .anyMatch(p -> "ce-specversion".equalsIgnoreCase(((JsonObject) p).getString("name")));
  }

  private List<String> headerParameterViolations(JsonObject operation, Map<String, String> headers) {
    List<String> violations = new ArrayList<>();
    for (Object p : operation.getJsonArray("parameters", new JsonArray())) {
      JsonObject parameter = (JsonObject) p;
      if ("header".equals(parameter.getString("in"))) {
        violations.addAll(headerViolations(parameter.getString("name"), parameter, headers));
      }
    }
    return violations;
  }

  private static Object parseRequestBody(String body, List<String> violations) {
    try {
      Object value = LENIENT_JSON.readValue(body, Object.class);
      return value == null ? null : Json.decodeValue(Json.encode(value));
    } catch (IOException e) {
      violations.add("the request body is not JSON as the service reads it: " + e.getMessage().lines().findFirst().orElse(""));
      return NOT_JSON;
    }
  }

  // Responses

  /**
   * What is wrong with a response of an operation: its status must be documented (or fall to {@code default}), the
   * headers the response requires must be there and match their schemas, and the body must have a documented
   * content type and match its schema.
   *
   * @param headers the response headers, Content-Type included; names in any case
   */
  public List<String> responseViolations(String operationId, int status, Map<String, String> headers, String body) {
    JsonObject operation = operation(operationId);
    if (operation == null) {
      return List.of("no operation " + operationId + " in " + RESOURCE);
    }
    JsonObject responses = operation.getJsonObject("responses");
    JsonObject response = responses.getJsonObject(String.valueOf(status), responses.getJsonObject("default"));
    if (response == null) {
      return List.of(operationId + " documents no response " + status + " and no default");
    }
    return responseObjectViolations(response, status, headers, body);
  }

  /**
   * Checks a response to a request, whatever the request was: the response of its operation, or, when the request
   * matches no operation, the response the document shares for that case: {@code 404} for another path, {@code 405}
   * for another method on a documented path, and the answers to requests that are not valid HTTP.
   *
   * @param pathAndQuery the request's path, a query allowed
   */
  public Checked check(String method, String pathAndQuery, int status, Map<String, String> headers, String body) {
    String operationId = operationId(method, pathAndQuery);
    if (operationId != null) {
      JsonObject responses = operation(operationId).getJsonObject("responses");
      String key = responses.containsKey(String.valueOf(status)) ? String.valueOf(status) : "default";
      return new Checked(operationId, key, responseViolations(operationId, status, headers, body));
    }
    int expected = pathItem(pathAndQuery) == null ? 404 : 405;
    String shared = SHARED_RESPONSES.get(status);
    if (shared == null || (status == 404 || status == 405) && status != expected) {
      return new Checked(null, null, List.of(method + " " + pathAndQuery + " matches no operation: it must be answered "
          + expected + ", not " + status));
    }
    JsonObject response = resolved.getJsonObject("components").getJsonObject("responses").getJsonObject(shared);
    return new Checked(null, "#/components/responses/" + shared, responseObjectViolations(response, status, headers, body));
  }

  private List<String> responseObjectViolations(JsonObject response, int status, Map<String, String> headers,
      String body) {
    List<String> violations = new ArrayList<>();
    Map<String, String> byName = caseInsensitive(headers);
    JsonObject declaredHeaders = response.getJsonObject("headers", new JsonObject());
    for (String name : declaredHeaders.fieldNames()) {
      violations.addAll(headerViolations(name, declaredHeaders.getJsonObject(name), byName));
    }
    JsonObject content = response.getJsonObject("content", new JsonObject());
    if (content.isEmpty()) {
      if (body != null && !body.isEmpty()) {
        violations.add("the " + status + " response has a body; the document says it has none");
      }
      return violations;
    }
    String contentType = byName.get("Content-Type");
    String mediaType = mediaType(contentType);
    if (!content.containsKey(mediaType)) {
      violations.add("the " + status + " response's Content-Type " + contentType + " is not one of " + content.fieldNames());
      return violations;
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(body == null ? "" : body);
    } catch (DecodeException e) {
      violations.add("the " + status + " response's body is not JSON: " + abbreviate(body));
      return violations;
    }
    violations.addAll(schemaViolations(content.getJsonObject(mediaType).getJsonObject("schema"), parsed,
        status + " response body"));
    return violations;
  }

  /** A header as a header parameter or a response header object declares it: present if required, as its schema says. */
  private List<String> headerViolations(String name, JsonObject declaration, Map<String, String> headers) {
    String value = headers.get(name);
    if (value == null) {
      return declaration.getBoolean("required", false) ? List.of("header " + name + " is required") : List.of();
    }
    JsonObject schema = declaration.getJsonObject("schema", new JsonObject());
    Object typed = value;
    // Header values are text; a header whose schema is a number is checked as the number it spells.
    if ("integer".equals(schema.getString("type"))) {
      try {
        typed = Long.parseLong(value.trim());
      } catch (NumberFormatException e) {
        return List.of("header " + name + ": \"" + value + "\" is not an integer");
      }
    }
    return schemaViolations(schema, typed, "header " + name);
  }

  // Schemas

  /** What is wrong with a value against a schema of the (resolved) document; {@code what} prefixes each violation. */
  public List<String> schemaViolations(JsonObject schema, Object value, String what) {
    if (schema == null) {
      return List.of();
    }
    OutputUnit result = repository.validator(JsonSchema.of(schema)).validate(value);
    if (Boolean.TRUE.equals(result.getValid())) {
      return List.of();
    }
    List<String> violations = new ArrayList<>();
    if (result.getErrors() == null || result.getErrors().isEmpty()) {
      violations.add(what + ": " + result.getError());
    } else {
      for (OutputUnit error : result.getErrors()) {
        violations.add(what + " at " + (error.getInstanceLocation() == null || error.getInstanceLocation().isEmpty()
            ? "/" : error.getInstanceLocation()) + ": " + error.getError() + " (" + error.getKeywordLocation() + ")");
      }
    }
    return violations;
  }

  /** What is wrong with a value against one of the document's {@code components/schemas}. */
  public List<String> componentViolations(String schemaName, Object value) {
    JsonObject schema = resolved.getJsonObject("components").getJsonObject("schemas").getJsonObject(schemaName);
    if (schema == null) {
      throw new IllegalArgumentException("no schema " + schemaName + " in " + RESOURCE);
    }
    return schemaViolations(schema, value, schemaName);
  }

  // Helpers

  private static String describe(OutputUnit result) {
    if (result.getErrors() == null || result.getErrors().isEmpty()) {
      return result.getError();
    }
    return result.getErrors().stream().limit(20)
        .map(e -> e.getInstanceLocation() + ": " + e.getError() + " (" + e.getKeywordLocation() + ")")
        .toList().toString();
  }

  /**
   * The resolved document without the {@code __absolute_uri__}-style members vertx-json-schema annotates it with, so
   * that its objects hold only what the document says. Its schemas are self-contained (every $ref replaced).
   */
  private static JsonObject withoutAnnotations(JsonObject json) {
    JsonObject clean = new JsonObject();
    for (String key : json.fieldNames()) {
      if (!(key.startsWith("__") && key.endsWith("__"))) {
        clean.put(key, withoutAnnotations(json.getValue(key)));
      }
    }
    return clean;
  }

  private static Object withoutAnnotations(Object value) {
    if (value instanceof JsonObject object) {
      return withoutAnnotations(object);
    }
    if (value instanceof JsonArray array) {
      JsonArray clean = new JsonArray();
      array.forEach(item -> clean.add(withoutAnnotations(item)));
      return clean;
    }
    return value;
  }

  private static Map<String, String> caseInsensitive(Map<String, String> headers) {
    Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (headers != null) {
      map.putAll(headers);
    }
    return map;
  }

  /** The media type without its parameters, lower-cased; empty when there is none. */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  /** As CloudEvents' HTTP binding decodes header values: %XX as UTF-8 bytes, nothing else ('+' stays '+'). */
  static String percentDecode(String value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
    byte[] raw = value.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '%' && i + 2 < raw.length && Character.digit(raw[i + 1], 16) >= 0
          && Character.digit(raw[i + 2], 16) >= 0) {
        bytes.write(Character.digit(raw[i + 1], 16) * 16 + Character.digit(raw[i + 2], 16));
        i += 2;
      } else {
        bytes.write(raw[i]);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String abbreviate(String text) {
    return text == null ? "(none)" : text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
