package io.eventsprocessor.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Parses request bodies. Stricter than Vert.x's default where strictness protects the rules (a duplicated key,
 * trailing garbage, absurd nesting) and lenient where the app in users' hands needs it: a trailing comma before
 * a closing brace, as in the task's example events, is accepted.
 */
public final class JsonBody {
  /** Deeper than any event needs; bounds the parser's work and stack. */
  static final int MAX_NESTING_DEPTH = 32;

  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
          .build())
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /** The body is not JSON; the message says where and why, for the client. */
  static final class InvalidJson extends Exception {
    InvalidJson(String message) {
      super(message, null, false, false);
    }
  }

  private JsonBody() {}

  /** The parser as it reads bodies, for what must read events the same way (the replay tool). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** A JsonObject, JsonArray, String, Number, Boolean, or null. */
  static Object parse(Buffer body) throws InvalidJson {
    byte[] bytes = body.getBytes();
    requireUtf8(bytes);
    try {
      return wrap(MAPPER.readValue(bytes, Object.class));
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new InvalidJson("is not valid JSON: " + reason(e) + where);
    } catch (IOException e) {
      throw new InvalidJson("is not valid JSON");
    }
  }

  /**
   * JSON is UTF-8 (RFC 8259), and Jackson does not check it all: it decodes overlong forms such as {@code C0 AF}
   * (a "/" in disguise) and encoded surrogates. The JDK's decoder refuses every malformed sequence.
   */
  private static void requireUtf8(byte[] bytes) throws InvalidJson {
    if (isAscii(bytes)) {
      return; // most bodies: valid UTF-8 as they are, without a decoder and its window per request
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    // Decoded into a small window and thrown away: only whether it decodes matters.
    CharBuffer window = CharBuffer.allocate(4096);
    while (true) {
      CoderResult result = decoder.decode(in, window, true);
      if (result.isError()) {
        throw new InvalidJson("is not valid UTF-8 (at byte " + (in.position() + 1) + ")");
      }
      if (result.isUnderflow()) {
        return;
      }
      window.clear();
    }
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /** Jackson's maps and lists as Vert.x's JSON objects and arrays, which the decoder reads. */
  @SuppressWarnings("unchecked")
  public static Object wrap(Object value) {
    if (value instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    if (value instanceof List<?> list) {
      return new JsonArray((List<Object>) list);
    }
    return value;
  }

  /**
   * Why a document is not JSON, for whoever sent it: Jackson's first line, without its pointers into Jackson's own
   * API (no {@code Source: REDACTED (StreamReadFeature…)}).
   */
  public static String reason(JsonProcessingException e) {
    return firstLine(e.getOriginalMessage());
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.replaceAll(", from `[^`]*`", "")
        .replaceAll("\\(start marker at \\[Source: .*?; line: (\\d+), column: (\\d+)\\]\\)", "(opened at line $1, column $2)");
  }
}
