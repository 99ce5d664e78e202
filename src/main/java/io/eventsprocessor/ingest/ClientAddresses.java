package io.eventsprocessor.ingest;

import io.netty.util.NetUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which address a request comes from, for the per-address rate and the logs: the TCP peer, unless the peer is one
 * of the trusted proxies ({@code http.trustedProxies}); then the address it forwarded, in the one header the
 * proxies write ({@code http.forwardedHeader}: {@code X-Forwarded-For}, or {@code Forwarded} of RFC 7239). Only
 * that header is read: a proxy passes the other one on as the client wrote it. The hops are read from the right
 * (the nearest) and the first one no trusted proxy stands for is the client: what a client writes in the header
 * itself comes first, and is not believed. Addresses are read as literals only; a name is never looked up.
 */
public final class ClientAddresses {
  /** The header the trusted proxies write the client's address in, as a config value spells it. */
  public enum Header {
    X_FORWARDED_FOR("X-Forwarded-For"), FORWARDED("Forwarded");

    private final String name;

    Header(String name) {
      this.name = name;
    }

    public String headerName() {
      return name;
    }
  }

  private final List<Block> trusted;
  private final Header header;

  /** An address block: the address's bytes, and how many leading bits count. */
  private record Block(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int whole = bits / 8;
      if (!Arrays.equals(address, 0, whole, network, 0, whole)) {
        return false;
      }
      int rest = bits % 8;
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return rest == 0 || (address[whole] & mask) == (network[whole] & mask);
    }
  }

  private ClientAddresses(List<Block> trusted, Header header) {
    this.trusted = trusted;
    this.header = header;
  }

  /**
   * @param proxies CIDR blocks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single addresses
   * @param header  the header they write the client's address in
   * @throws IllegalArgumentException when one is neither (see {@link #problem})
   */
  public static ClientAddresses trusting(List<String> proxies, Header header) {
    List<Block> blocks = new ArrayList<>();
    for (String proxy : proxies) {
      Block block = block(proxy);
      if (block == null) {
        throw new IllegalArgumentException(problem(proxy));
      }
      blocks.add(block);
    }
    return new ClientAddresses(List.copyOf(blocks), header);
  }

  /** What is wrong with a trusted proxy's spelling, for the config's error; null when nothing is. */
  public static String problem(String proxy) {
    return block(proxy) == null ? "\"" + proxy + "\" is not an address or a CIDR block" : null;
  }

  private static Block block(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    byte[] network = literal(slash < 0 ? trimmed : trimmed.substring(0, slash));
    if (network == null) {
      return null;
    }
    int bits = network.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        return null;
      }
      if (bits < 0 || bits > network.length * 8) {
        return null;
      }
    }
    return new Block(network, bits);
  }

  /** The client's address of a request. */
  String of(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String peerAddress = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    if (trusted.isEmpty()) {
      byte[] bytes = literal(peerAddress);
      return bytes == null ? peerAddress : text(bytes);
    }
    return resolve(peerAddress, request.headers());
  }

  /** The client's address of a request from {@code peer} with these headers (only the configured one is read). */
  String resolve(String peer, MultiMap headers) {
    byte[] hop = literal(peer);
    if (hop == null) {
      return peer;
    }
    List<String> lines = headers.getAll(header.name);
    List<String> hops = header == Header.FORWARDED ? forwardedFor(lines) : xForwardedFor(lines);
    // From the nearest hop back, while each was written by a trusted proxy.
    for (int i = hops.size() - 1; i >= 0 && isTrusted(hop); i--) {
      byte[] previous = literal(node(hops.get(i)));
      if (previous == null) {
        // "unknown", an obfuscated name, garbage: the proxy that wrote it is all that is known.
        break;
      }
      hop = previous;
    }
    return text(hop);
  }

  private boolean isTrusted(byte[] address) {
    return trusted.stream().anyMatch(block -> block.contains(address));
  }

  private static List<String> xForwardedFor(List<String> lines) {
    List<String> hops = new ArrayList<>();
    lines.forEach(line -> Arrays.stream(line.split(",")).map(String::trim).forEach(hops::add));
    return hops;
  }

  /** The {@code for=} of each element of {@code Forwarded} (RFC 7239); an element without one is an unknown hop. */
  private static List<String> forwardedFor(List<String> lines) {
    List<String> hops = new ArrayList<>();
    for (String line : lines) {
      for (String element : line.split(",")) {
        String node = "unknown";
        for (String pair : element.split(";")) {
          int equals = pair.indexOf('=');
          if (equals > 0 && pair.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("for")) {
            node = pair.substring(equals + 1).trim();
          }
        }
        hops.add(node);
      }
    }
    return hops;
  }

  /** A node as the headers write it ({@code "[2001:db8::1]:4711"}, {@code 192.0.2.1:80}) without quotes and port. */
  private static String node(String text) {
    String node = text.trim();
    if (node.length() >= 2 && node.startsWith("\"") && node.endsWith("\"")) {
      node = node.substring(1, node.length() - 1);
    }
    if (node.startsWith("[")) {
      int close = node.indexOf(']');
      return close < 0 ? node : node.substring(1, close);
    }
    int colon = node.indexOf(':');
    // One colon: IPv4 and a port. More: a bare IPv6 address.
    return colon >= 0 && colon == node.lastIndexOf(':') ? node.substring(0, colon) : node;
  }

  /** The address's bytes (4 for IPv4, IPv4-mapped IPv6 included; 16 for IPv6), or null when it is no literal. */
  private static byte[] literal(String text) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes != null && bytes.length == 16 && isIpv4Mapped(bytes)) {
      return Arrays.copyOfRange(bytes, 12, 16);
    }
    return bytes;
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF;
  }

  /** One spelling per address, so that one client has one bucket. No name is looked up for the bytes. */
  private static String text(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
