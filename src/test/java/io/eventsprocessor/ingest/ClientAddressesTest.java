package io.eventsprocessor.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address a request is counted and logged under, with and without trusted proxies in front. */
class ClientAddressesTest {
  static final List<String> PROXIES = List.of("10.0.0.0/8", "192.168.1.7", "2001:db8::/32");
  static final ClientAddresses BEHIND_PROXIES = ClientAddresses.trusting(PROXIES, ClientAddresses.Header.X_FORWARDED_FOR);
  static final ClientAddresses BEHIND_RFC7239_PROXIES = ClientAddresses.trusting(PROXIES, ClientAddresses.Header.FORWARDED);
  static final ClientAddresses DIRECT = ClientAddresses.trusting(List.of(), ClientAddresses.Header.X_FORWARDED_FOR);

  /** A request from {@code peer} with these headers (null: absent). */
  static String resolve(ClientAddresses addresses, String forwarded, String xForwardedFor, String peer) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (forwarded != null) {
      headers.add("Forwarded", forwarded);
    }
    if (xForwardedFor != null) {
      headers.add("X-Forwarded-For", xForwardedFor);
    }
    return addresses.resolve(peer, headers);
  }

  @Test
  void withoutTrustedProxiesTheTcpPeerIsTheClientWhateverTheHeadersSay() {
    assertThat(resolve(DIRECT, null, "198.51.100.1", "203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(resolve(DIRECT, "for=198.51.100.1", null, "203.0.113.9")).isEqualTo("203.0.113.9");
    // Nor does a peer that is not among the trusted proxies choose its own address.
    assertThat(resolve(BEHIND_PROXIES, null, "198.51.100.1", "203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  void aTrustedProxysForwardedAddressIsTheClientTheRightmostUntrustedOne() {
    assertThat(resolve(BEHIND_PROXIES, null, "198.51.100.1", "10.1.2.3")).isEqualTo("198.51.100.1");
    // What the client put first itself is not believed: the first address no trusted proxy vouches for is the client.
    assertThat(resolve(BEHIND_PROXIES, null, "1.1.1.1, 198.51.100.1, 10.9.9.9", "10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(resolve(BEHIND_PROXIES, null, "198.51.100.1:4711", "192.168.1.7")).isEqualTo("198.51.100.1");
    // Every hop a trusted proxy: the first of them.
    assertThat(resolve(BEHIND_PROXIES, null, "10.0.0.1, 10.0.0.2", "10.1.2.3")).isEqualTo("10.0.0.1");
    // No header: the proxy itself.
    assertThat(resolve(BEHIND_PROXIES, null, null, "10.1.2.3")).isEqualTo("10.1.2.3");
  }

  @Test
  void onlyTheHeaderTheProxiesWriteIsRead() {
    // Proxies that write X-Forwarded-For pass a client's own Forwarded on: it is not believed.
    assertThat(resolve(BEHIND_PROXIES, "for=1.2.3.4", "198.51.100.1", "10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(resolve(BEHIND_PROXIES, "for=1.2.3.4", null, "10.1.2.3")).isEqualTo("10.1.2.3");
    // And the other way round.
    assertThat(resolve(BEHIND_RFC7239_PROXIES, null, "1.2.3.4", "10.1.2.3")).isEqualTo("10.1.2.3");
  }

  @Test
  void forwardedIsReadAsRfc7239WritesIt() {
    assertThat(resolve(BEHIND_RFC7239_PROXIES, "for=198.51.100.1;proto=https;by=10.1.2.3", "1.1.1.1", "10.1.2.3"))
        .isEqualTo("198.51.100.1");
    assertThat(resolve(BEHIND_RFC7239_PROXIES, "For=\"[2001:DB9::17]:4711\", for=10.0.0.5", null, "10.1.2.3"))
        .isEqualTo("2001:db9:0:0:0:0:0:17");
    assertThat(resolve(BEHIND_RFC7239_PROXIES, "for=198.51.100.2", null, "2001:db8::1")).isEqualTo("198.51.100.2");
  }

  @Test
  void anEntryThatIsNoAddressStopsTheWalkAtTheProxyThatWroteIt() {
    // "unknown", an obfuscated name, a host name (never looked up): the proxy that reported it stands for the client.
    assertThat(resolve(BEHIND_RFC7239_PROXIES, "for=unknown", null, "10.1.2.3")).isEqualTo("10.1.2.3");
    assertThat(resolve(BEHIND_RFC7239_PROXIES, "for=_hidden, for=10.0.0.5", null, "10.1.2.3")).isEqualTo("10.0.0.5");
    assertThat(resolve(BEHIND_PROXIES, null, "example.com", "10.1.2.3")).isEqualTo("10.1.2.3");
    assertThat(resolve(BEHIND_PROXIES, null, "1.2.3.4.example.com, ", "10.1.2.3")).isEqualTo("10.1.2.3");
  }

  @Test
  void anIpv4PeerSeenAsAnIpv6MappedAddressIsTheSameAddress() {
    assertThat(resolve(BEHIND_PROXIES, null, "198.51.100.1", "::ffff:10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(resolve(DIRECT, null, null, "::ffff:203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  void aTrustedProxyIsACidrOrOneAddressAndAnythingElseIsRefusedSayingWhy() {
    assertThat(ClientAddresses.problem("10.0.0.0/8")).isNull();
    assertThat(ClientAddresses.problem("::1")).isNull();
    assertThat(ClientAddresses.problem("10.0.0.0/33")).isEqualTo("\"10.0.0.0/33\" is not an address or a CIDR block");
    assertThat(ClientAddresses.problem("proxy.internal")).isEqualTo("\"proxy.internal\" is not an address or a CIDR block");
    assertThatThrownBy(() -> ClientAddresses.trusting(List.of("10.0.0.0/x"), ClientAddresses.Header.X_FORWARDED_FOR))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
