package io.eventsprocessor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Many connections that send their request as slowly as an attacker would, all driven by one thread through a
 * selector: each sends its first bytes as fast as the server takes them, then one more byte a second, and never
 * finishes. What is recorded: when the server closed each, and what it answered first.
 */
final class SlowClients implements AutoCloseable {

  /** One connection's fate. */
  static final class Client {
    final SocketChannel channel;
    final ByteBuffer first;
    final long openedAt = System.nanoTime();
    final StringBuilder answer = new StringBuilder();
    volatile long closedAt = -1;
    long nextTrickle;

    Client(SocketChannel channel, ByteBuffer first) {
      this.channel = channel;
      this.first = first;
    }

    boolean closed() {
      return closedAt >= 0;
    }

    /** How long the server let it live; null while it is open. */
    Duration lifetime() {
      return closed() ? Duration.ofNanos(closedAt - openedAt) : null;
    }

    /** The status the server answered before closing, or 0 when it answered nothing that could be read. */
    int status() {
      return answer.length() >= 12 && answer.toString().startsWith("HTTP/1.1 ")
          ? Integer.parseInt(answer.substring(9, 12)) : 0;
    }
  }

  private final Selector selector;
  private final List<Client> clients = new CopyOnWriteArrayList<>();
  private final byte[] trickle;
  private final Thread driver;
  private volatile boolean running = true;

  /**
   * @param first   what each connection sends at once (a request's head, maybe most of its body)
   * @param trickle what each sends afterwards, one byte a second (a header line, or body bytes), cycled
   */
  SlowClients(int port, int count, byte[] first, byte[] trickle) throws IOException {
    this.selector = Selector.open();
    this.trickle = trickle;
    ByteBuffer shared = ByteBuffer.wrap(first).asReadOnlyBuffer();
    List<Client> opened = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
      channel.configureBlocking(false);
      Client client = new Client(channel, shared.duplicate());
      client.nextTrickle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE, client);
      opened.add(client);
    }
    clients.addAll(opened);
    driver = new Thread(this::drive, "slow-clients");
    driver.setDaemon(true);
    driver.start();
  }

  private void drive() {
    ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    try {
      while (running) {
        selector.select(100);
        long now = System.nanoTime();
        for (SelectionKey key : List.copyOf(selector.keys())) {
          Client client = (Client) key.attachment();
          if (!key.isValid() || client.closed()) {
            continue;
          }
          try {
            in.clear();
            int read = client.channel.read(in);
            if (read < 0) {
              closed(client, key, now);
              continue;
            }
            if (read > 0 && client.answer.length() < 256) {
              client.answer.append(new String(in.array(), 0, read, StandardCharsets.ISO_8859_1));
            }
            if (client.first.hasRemaining()) {
              client.channel.write(client.first);
            } else {
              key.interestOps(SelectionKey.OP_READ);
              if (now >= client.nextTrickle) {
                long sent = (now - client.openedAt) / 1_000_000_000L;
                client.channel.write(ByteBuffer.wrap(trickle, (int) (sent % trickle.length), 1));
                client.nextTrickle = now + Duration.ofSeconds(1).toNanos();
              }
            }
          } catch (IOException e) {
            // Reset or broken pipe: the server closed it.
            closed(client, key, now);
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void closed(Client client, SelectionKey key, long now) {
    client.closedAt = now;
    key.cancel();
    try {
      client.channel.close();
    } catch (IOException e) {
      // closed already
    }
  }

  List<Client> clients() {
    return List.copyOf(clients);
  }

  long open() {
    return clients.stream().filter(c -> !c.closed()).count();
  }

  @Override
  public void close() throws IOException {
    running = false;
    selector.wakeup();
    try {
      driver.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Client client : clients) {
      client.channel.close();
    }
    selector.close();
  }
}
