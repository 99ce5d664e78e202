package io.eventsprocessor.replay;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.eventsprocessor.ingest.JsonBody;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a file of events: a JSON array of them, or one per line (NDJSON; a line may also hold an array, as a
 * batch). Each document is parsed as the HTTP edge parses bodies: a trailing comma before a closing brace is
 * accepted (the task's example events have one), a duplicated key is not. A line that is not JSON is one rejected
 * event, and reading goes on; in an array, reading stops there (where the next element starts cannot be known).
 */
final class EventsFile {
  /** What is read, in the file's order. */
  interface Reader {
    /** A line of NDJSON, not parsed yet (see {@link #parse}: the reader may do it on another thread). */
    void line(long line, String text);

    /** An element of an array (a JsonObject for an event; anything else is not one), at this line. */
    void document(long line, Object document);

    /** The rest of an array, which is not JSON. */
    void notJson(long line, String message);
  }

  /** A line's documents: an event, or a batch of them (an array). */
  static List<Object> parse(String line) throws JsonProcessingException {
    Object value = MAPPER.readValue(line, Object.class);
    return value instanceof List<?> batch ? batch.stream().map(JsonBody::wrap).toList() : List.of(JsonBody.wrap(value));
  }

  /** Why a line is not JSON, as the HTTP edge says it (no pointers into Jackson's own API). */
  static String message(JsonProcessingException e) {
    return JsonBody.reason(e);
  }

  /** The HTTP edge's parser: a file's events are read as bodies are. */
  private static final ObjectMapper MAPPER = JsonBody.mapper();
  /** An element of an array: the array's next elements follow it. */
  private static final ObjectReader ELEMENT = MAPPER.readerFor(Object.class)
      .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Path path;
  private long bytesRead;

  EventsFile(Path path) {
    this.path = path;
  }

  /** Bytes of the file read so far (for a progress bar; read from another thread it is an estimate). */
  long bytesRead() {
    return bytesRead;
  }

  void read(Reader reader) throws IOException {
    try (InputStream counting = new FilterInputStream(Files.newInputStream(path)) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            bytesRead += Math.max(n, 0);
            return n;
          }
        };
        PushbackReader text = new PushbackReader(new InputStreamReader(counting, StandardCharsets.UTF_8), 1)) {
      int first;
      do {
        first = text.read();
      } while (first == ' ' || first == '\n' || first == '\r' || first == '\t' || first == '\uFEFF');
      if (first < 0) {
        return;
      }
      text.unread(first);
      if (first == '[') {
        readArray(text, reader);
      } else {
        readLines(new BufferedReader(text, 1 << 16), reader);
      }
    }
  }

  private static void readLines(BufferedReader lines, Reader reader) throws IOException {
    long number = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      number++;
      if (!line.isBlank()) {
        reader.line(number, line);
      }
    }
  }

  /**
   * A file that starts with an array: that array's elements, then those of any value after it (NDJSON whose lines
   * are batches, or a second array), so that nothing after the first array is skipped unread.
   */
  private static void readArray(java.io.Reader text, Reader reader) throws IOException {
    try (JsonParser parser = MAPPER.createParser(text)) {
      long line = 1;
      try {
        for (JsonToken root = parser.nextToken(); root != null; root = parser.nextToken()) {
          line = parser.currentTokenLocation().getLineNr();
          if (root != JsonToken.START_ARRAY) {
            reader.document(line, JsonBody.wrap(ELEMENT.readValue(parser)));
            continue;
          }
          for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == null) {
              reader.notJson(line, "the array does not end");
              return;
            }
            line = parser.currentTokenLocation().getLineNr();
            reader.document(line, JsonBody.wrap(ELEMENT.readValue(parser)));
          }
        }
      } catch (JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        reader.notJson(at == null ? line : at.getLineNr(), message(e) + "; the rest of the file is not read");
      }
    }
  }
}
