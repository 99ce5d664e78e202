package io.eventsprocessor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TCP connection to the service, written byte by byte, for what HTTP clients will not do: send part of a request,
 * stall, or nothing at all. Blocking, from the test thread; waiting is a read with a deadline, never a sleep.
 */
final class RawHttp implements AutoCloseable {
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");
  private final Socket socket;
  private final InputStream in;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private boolean closedByServer;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
  }

  /** The head of a request ({@code Host} added), up to and with the blank line. */
  static String head(String method, String path, String... headers) {
    return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + String.join("", java.util.Arrays.stream(headers)
        .map(h -> h + "\r\n").toList()) + "\r\n";
  }

  RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.UTF_8));
  }

  RawHttp send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  /** Everything the server sent so far. */
  String received() {
    return received.toString(StandardCharsets.UTF_8);
  }

  /** Whether the server closed the connection within {@code within} (what it sent meanwhile is kept). */
  boolean awaitClosed(Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!closedByServer && System.nanoTime() < deadline) {
      readSome(deadline);
    }
    return closedByServer;
  }

  /** Waits until what the server sent contains {@code text}. */
  RawHttp awaitText(String text, Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!received().contains(text)) {
      if (closedByServer || System.nanoTime() >= deadline) {
        throw new AssertionError("no \"" + text + "\" within " + within + ": " + received());
      }
      readSome(deadline);
    }
    return this;
  }

  /** Reads one whole response (head and Content-Length body) within {@code within}, and returns it. */
  String readResponse(Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    int start = received.size();
    while (System.nanoTime() < deadline) {
      String text = received.toString(StandardCharsets.UTF_8).substring(start);
      int headEnd = text.indexOf("\r\n\r\n");
      if (headEnd >= 0) {
        Matcher length = CONTENT_LENGTH.matcher(text.substring(0, headEnd));
        int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        if (text.length() >= headEnd + 4 + bodyLength) {
          return text.substring(0, headEnd + 4 + bodyLength);
        }
      }
      if (closedByServer) {
        throw new AssertionError("the connection closed before a whole response: " + text);
      }
      readSome(deadline);
    }
    throw new AssertionError("no whole response within " + within + ": " + received().substring(start));
  }

  private void readSome(long deadline) throws IOException {
    long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    socket.setSoTimeout((int) Math.min(left, 200));
    byte[] buffer = new byte[8192];
    try {
      int n = in.read(buffer);
      if (n < 0) {
        closedByServer = true;
      } else {
        received.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // nothing yet
    } catch (SocketException e) {
      // reset: closed all the same
      closedByServer = true;
    }
  }

  static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
