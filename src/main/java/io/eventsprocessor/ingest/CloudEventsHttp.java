package io.eventsprocessor.ingest;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The binary mode of CloudEvents' HTTP binding: the attributes come as {@code ce-*} headers and the body is the
 * event's data. It is turned into the structured form ({@code application/cloudevents+json}), so that both modes
 * go through the same decoding: this class knows HTTP, the CloudEvents format in {@code event/} knows the rest.
 */
final class CloudEventsHttp {
  static final String MEDIA_TYPE = "application/cloudevents+json";
  static final String BATCH_MEDIA_TYPE = "application/cloudevents-batch+json";
  private static final String PREFIX = "ce-";

  private CloudEventsHttp() {}

  /** A request in binary mode carries the required {@code ce-specversion} header. */
  static boolean isBinary(MultiMap headers) {
    return headers.contains(PREFIX + "specversion");
  }

  /**
   * The structured event: each {@code ce-} header is an attribute (lower-cased, percent-decoded as the binding
   * says), the Content-Type is {@code datacontenttype}, the body (if any) is {@code data}.
   *
   * @param data the parsed body, or null when it was empty
   */
  static JsonObject structured(MultiMap headers, String contentType, Object data) {
    JsonObject event = new JsonObject();
    for (String name : headers.names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith(PREFIX) && lower.length() > PREFIX.length()) {
        event.put(lower.substring(PREFIX.length()), percentDecode(headers.get(name)));
      }
    }
    if (contentType != null) {
      event.put("datacontenttype", contentType);
    }
    if (data != null) {
      event.put("data", data);
    }
    return event;
  }

  /** %XX sequences to UTF-8 bytes; anything else as it is ('+' is not a space here, unlike in forms). */
  static String percentDecode(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length() && hex(value.charAt(i + 1)) >= 0 && hex(value.charAt(i + 2)) >= 0) {
        bytes.write(hex(value.charAt(i + 1)) * 16 + hex(value.charAt(i + 2)));
        i += 3;
      } else {
        int codePoint = value.codePointAt(i);
        byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
        i += Character.charCount(codePoint);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
