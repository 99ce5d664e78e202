package io.eventsprocessor.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address a request is counted and logged under, with and without trusted proxies in front. */
class ClientAddressesTest {
  static final ClientAddresses BEHIND_PROXIES = ClientAddresses.trusting(List.of("10.0.0.0/8", "192.168.1.7",
      "2001:db8::/32"));
  static final ClientAddresses DIRECT = ClientAddresses.trusting(List.of());

  static String resolve(ClientAddresses addresses, String peer, String forwarded, String xForwardedFor) {
    return addresses.resolve(peer, forwarded == null ? List.of() : List.of(forwarded),
        xForwardedFor == null ? List.of() : List.of(xForwardedFor));
  }

  @Test
  void withoutTrustedProxiesTheTcpPeerIsTheClientWhateverTheHeadersSay() {
    assertThat(resolve(DIRECT, "203.0.113.9", null, "198.51.100.1")).isEqualTo("203.0.113.9");
    assertThat(resolve(DIRECT, "203.0.113.9", "for=198.51.100.1", null)).isEqualTo("203.0.113.9");
    // Nor does a peer that is not among the trusted proxies choose its own address.
    assertThat(resolve(BEHIND_PROXIES, "203.0.113.9", null, "198.51.100.1")).isEqualTo("203.0.113.9");
  }

  @Test
  void aTrustedProxysForwardedAddressIsTheClientTheRightmostUntrustedOne() {
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", null, "198.51.100.1")).isEqualTo("198.51.100.1");
    // What the client put first itself is not believed: the first address no trusted proxy vouches for is the client.
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", null, "1.1.1.1, 198.51.100.1, 10.9.9.9")).isEqualTo("198.51.100.1");
    assertThat(resolve(BEHIND_PROXIES, "192.168.1.7", null, "198.51.100.1:4711")).isEqualTo("198.51.100.1");
    // Every hop a trusted proxy: the first of them.
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", null, "10.0.0.1, 10.0.0.2")).isEqualTo("10.0.0.1");
    // No header: the proxy itself.
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", null, null)).isEqualTo("10.1.2.3");
  }

  @Test
  void forwardedIsReadAsRfc7239WritesItAndWinsOverXForwardedFor() {
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "for=198.51.100.1;proto=https;by=10.1.2.3", "1.1.1.1"))
        .isEqualTo("198.51.100.1");
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "For=\"[2001:DB9::17]:4711\", for=10.0.0.5", null))
        .isEqualTo("2001:db9:0:0:0:0:0:17");
    assertThat(resolve(BEHIND_PROXIES, "2001:db8::1", "for=198.51.100.2", null)).isEqualTo("198.51.100.2");
  }

  @Test
  void anEntryThatIsNoAddressStopsTheWalkAtTheProxyThatWroteIt() {
    // "unknown", an obfuscated name, a host name (never looked up): the proxy that reported it stands for the client.
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "for=unknown", null)).isEqualTo("10.1.2.3");
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "for=_hidden, for=10.0.0.5", null)).isEqualTo("10.0.0.5");
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", null, "example.com")).isEqualTo("10.1.2.3");
    assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", null, "1.2.3.4.example.com, ")).isEqualTo("10.1.2.3");
  }

  @Test
  void anIpv4PeerSeenAsAnIpv6MappedAddressIsTheSameAddress() {
    assertThat(resolve(BEHIND_PROXIES, "::ffff:10.1.2.3", null, "198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(resolve(DIRECT, "::ffff:203.0.113.9", null, null)).isEqualTo("203.0.113.9");
  }

  @Test
  void aTrustedProxyIsACidrOrOneAddressAndAnythingElseIsRefusedSayingWhy() {
    assertThat(ClientAddresses.problem("10.0.0.0/8")).isNull();
    assertThat(ClientAddresses.problem("::1")).isNull();
    assertThat(ClientAddresses.problem("10.0.0.0/33")).isEqualTo("\"10.0.0.0/33\" is not an address or a CIDR block");
    assertThat(ClientAddresses.problem("proxy.internal")).isEqualTo("\"proxy.internal\" is not an address or a CIDR block");
    assertThatThrownBy(() -> ClientAddresses.trusting(List.of("10.0.0.0/x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
