package io.eventsprocessor.service;

import io.eventsprocessor.config.ConfigReader;
import io.eventsprocessor.config.ConfigLoader;
import io.eventsprocessor.metrics.MetricsVerticle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The ports the service listens on, each with the key that sets it: so that a port that cannot be had is reported as
 * the operator can fix it (which key, or which environment variable), in one line, like every other start failure.
 */
public final class ListeningPorts {
  /**
   * @param what what listens there, as the start-up summary names it
   * @param key  the config key of the port
   */
  public record Listener(String what, String key, String host, int port) {}

  private ListeningPorts() {}

  /** The servers this config starts, with their ports as configured ({@code 0}: any free port). */
  public static List<Listener> of(AppConfig config) {
    List<Listener> listeners = new ArrayList<>();
    listeners.add(new Listener("the HTTP API", "http.port", config.http().host(), config.http().port()));
    if (config.notifySink().enabled()) {
      listeners.add(new Listener("the local notification sink", "notifySink.port", config.notifySink().host(),
          config.notifySink().port()));
    }
    if (config.admin().enabled()) {
      listeners.add(new Listener("the admin API", "admin.port", config.admin().host(), config.admin().port()));
    }
    if (config.metrics().server() == MetricsVerticle.Server.own) {
      listeners.add(new Listener("the metrics server", "metrics.port", config.metrics().host(), config.metrics().port()));
    }
    return listeners;
  }

  /**
   * Two of the service's own servers on one port: the second could never listen. Reported on the later key, naming
   * the earlier one.
   */
  static void checkDistinct(List<Listener> listeners, ConfigReader root) {
    for (int i = 1; i < listeners.size(); i++) {
      Listener later = listeners.get(i);
      for (Listener earlier : listeners.subList(0, i)) {
        if (later.port() != 0 && later.port() == earlier.port()) {
          root.problem(later.key(), "is the port of " + earlier.what() + " too (" + earlier.key() + "): each server "
              + "needs a port of its own", later.port());
          break;
        }
      }
    }
  }

  /**
   * What to say when a server could not listen because its port is taken: the port and its key (or the environment
   * variable that set it), found by trying each configured port once the service's own servers are closed.
   *
   * @param variables full key to the environment variable that set it (see {@link ConfigLoader#variables})
   */
  public static String inUse(List<Listener> listeners, Map<String, String> variables) {
    return inUse(listeners, variables, ListeningPorts::taken);
  }

  static String inUse(List<Listener> listeners, Map<String, String> variables, Predicate<Listener> taken) {
    // Every one that is taken (an old instance still running holds them all): fixing one would only show the next.
    List<String> inUse = listeners.stream().filter(l -> l.port() != 0 && taken.test(l)).map(listener -> {
      String variable = variables.get(listener.key());
      return (variable == null ? listener.key() + ": " : variable + ": ") + listener.port()
          + " is in use by another process (" + listener.what() + "'s port, on " + listener.host()
          + (variable == null ? "" : "; the environment variable for " + listener.key()) + ")";
    }).toList();
    if (inUse.isEmpty()) {
      // Taken during the start and free again since: name them all.
      return "a port was in use by another process when the service started: one of "
          + listeners.stream().map(l -> l.key() + " " + l.port()).collect(Collectors.joining(", "));
    }
    return String.join("; ", inUse) + ": stop that process, or choose another port";
  }

  /** Whether the port cannot be bound now (another process holds it). */
  private static boolean taken(Listener listener) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(listener.host(), listener.port()));
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }
}
