package io.eventsprocessor.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** What an interface a server binds says about who can reach it. */
public final class Hosts {
  private Hosts() {}

  /**
   * Whether only this machine can reach a server bound to {@code host}: {@code localhost} or a loopback address
   * ({@code 127.0.0.0/8}, {@code ::1}). Other names are not looked up (a start must not wait on DNS, and a name
   * may resolve elsewhere tomorrow): they count as reachable from outside.
   */
  public static boolean isLoopback(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false;
    }
    try {
      // A literal address: parsed, never looked up.
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
