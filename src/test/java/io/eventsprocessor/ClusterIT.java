package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shaded jar as separate processes forming a cluster on 127.0.0.1, traffic spread over every node's HTTP
 * port, clients resending a failed request to another node: a node killed, a rolling restart, a fourth node
 * joining, and every node stopped and started again lose nothing, send nothing that should not be sent, and never
 * give one cause two notification ids.
 */
class ClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterIT.class);
  static final Duration READY = Duration.ofSeconds(60);
  static final Duration SAFE_AGAIN = Duration.ofSeconds(120);
  static final String CONFIG = "{\"rateLimit\": {\"enabled\": false},"
      // unguarded (see Unguarded): the scripts' users are stamped at any hour of the day the test runs
      + " \"rules\": {\"defaults\": {\"quietHours\": false, \"maxPerDay\": false},"
      + " \"reminder\": {\"within\": \"PT10S\", \"cap\": false, \"skipIfTrainedToday\": false},"
      + " \"congratulation\": {\"cap\": false}},"
      + " \"notify\": {\"initialBackoff\": \"PT0.05S\", \"maxBackoff\": \"PT0.5S\"},"
      // few partitions: a call and a wake-up change several users of a partition at once, as under load
      + " \"cluster\": {\"pollInterval\": \"PT0.2S\", \"partitions\": 7}}";

  /** Lines of each node's log a failure's message carries. */
  static final int LOG_LINES_ON_FAILURE = 40;

  /**
   * A test that fails says why: its message carries, for every node, whether it runs, its readiness, its cluster
   * metrics and the last lines of its log (taken before the nodes are stopped).
   */
  @RegisterExtension
  final TestExecutionExceptionHandler explainFailures = (context, failure) -> {
    throw new AssertionError(failure.getMessage() + "\n" + this.nodes.stream()
        .map(n -> n.diagnostics(LOG_LINES_ON_FAILURE)).collect(Collectors.joining()), failure);
  };

  @TempDir Path stateDirs;
  ScriptedUsers users;
  // Read by the clients' threads while a test adds a node.
  final List<JarNode> nodes = new CopyOnWriteArrayList<>();
  final List<Integer> clusterPorts = new ArrayList<>();
  final String clusterName = "it-" + UUID.randomUUID();
  /** The nodes' config: a test may change it before it starts them. */
  String config = CONFIG;

  @BeforeEach
  void setUp() throws Exception {
    users = new ScriptedUsers();
    for (int i = 0; i < 4; i++) {
      clusterPorts.add(JarNode.freePort());
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (JarNode node : nodes) {
      node.destroy();
    }
    users.close();
  }

  /** A node of the cluster; the four members are listed from the start, the fourth joins when started. */
  JarNode node(int index) throws Exception {
    Map<String, String> environment = new HashMap<>(Map.of(
        "CLUSTER_NAME", clusterName,
        "CLUSTER_PORT", String.valueOf(clusterPorts.get(index)),
        "CLUSTER_MEMBERS", clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")),
        "CLUSTER_QUORUM", "2",
        "STATE_DIR", stateDirs.resolve("node-" + index).toString(),
        "NOTIFY_URL", users.notifyUrl(),
        "NOTIFY_SINK_ENABLED", "false"));
    JarNode node = new JarNode("node-" + index, List.of("-Xmx256m"), environment, "-cluster", "-conf", config);
    nodes.add(node);
    return node;
  }

  List<JarNode> startCluster(int size) throws Exception {
    List<JarNode> started = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      started.add(node(i).start());
    }
    started.forEach(n -> n.awaitReady(READY));
    return started;
  }

  /** A port of a node that runs (a load balancer's pick); a client that fails tries another pick. */
  int anyLivePort() {
    List<JarNode> alive = nodes.stream().filter(JarNode::isAlive).toList();
    return alive.get(ThreadLocalRandom.current().nextInt(alive.size())).httpPort;
  }

  /** Every expected notification arrived, none other came, no cause got two ids. */
  void assertNothingLostNothingWrong(String scenario) throws Exception {
    users.awaitSent(Duration.ofMinutes(3));
    try {
      await().atMost(Duration.ofSeconds(90)).until(users::allExpectedArrived);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      LOG.error("{}: {}", scenario, users.problems());
      nodes.forEach(n -> n.output().stream().filter(l -> l.contains("WARN") || l.contains("ERROR"))
          .limit(20).forEach(l -> LOG.error("{}: {}", n.name, l)));
      throw e;
    }
    // A notification that should not be sent would be decided with the events: nothing more comes after these.
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(users.problems()).isEmpty());
    LOG.info("{}: {} events sent, {} acknowledged, {} attempts failed and were resent, {} notifications received, "
        + "{} of them again under the same id", scenario, users.sent.get(), users.acknowledged.get(),
        users.failedAttempts.get(), users.received.size(), users.redeliveries());
    assertThat(users.problems()).isEmpty();
  }

  @Test
  void aNodeKilledUnderTrafficLosesNothing() throws Exception {
    List<JarNode> cluster = startCluster(3);
    users.script("kill", 150, Instant.now().minus(Duration.ofHours(2)));
    users.send(this::anyLivePort, Duration.ofMillis(150));

    long wait = 1000 + ThreadLocalRandom.current().nextInt(3000);
    LOG.info("killing node-1 in {} ms", wait);
    await().pollDelay(Duration.ofMillis(wait)).atMost(Duration.ofMillis(wait + 1000)).until(() -> true);
    cluster.get(1).kill();
    assertThat(cluster.get(1).awaitExit(Duration.ofSeconds(10))).isEqualTo(137);

    assertNothingLostNothingWrong("kill -9 of one node of three");
  }

  @Test
  void aRollingRestartUnderTrafficLosesNothing() throws Exception {
    List<JarNode> cluster = startCluster(3);
    users.script("rolling", 150, Instant.now().minus(Duration.ofHours(2)));
    users.send(this::anyLivePort, Duration.ofMillis(400));

    for (JarNode node : cluster) {
      node.sigterm();
      assertThat(node.awaitExit(Duration.ofSeconds(30))).isIn(0, 143);
      node.start().awaitReady(READY);
      // Every node's users backed up again before the next stop: on two cores, under traffic, the copy can take a
      // minute.
      await().atMost(SAFE_AGAIN).until(() -> cluster.stream().allMatch(n -> n.metric("events_processor_cluster_members") == 3
          && n.metric("events_processor_cluster_safe") == 1));
    }
    assertNothingLostNothingWrong("rolling restart of three nodes");
  }

  @Test
  void aFourthNodeJoiningUnderTrafficTakesAShare() throws Exception {
    startCluster(3);
    users.script("join", 150, Instant.now().minus(Duration.ofHours(2)));
    users.send(this::anyLivePort, Duration.ofMillis(200));

    JarNode fourth = node(3).start().awaitReady(READY);
    await().atMost(READY).until(() -> fourth.metric("events_processor_cluster_users_owned") > 0);
    assertNothingLostNothingWrong("a fourth node joining");
  }

  @Test
  void everyNodeKilledAtOnceUnderTrafficLosesNothingEvenWithADiskLost() throws Exception {
    // A user's start may wait for the nodes to come back (20 s or more on 2 cores) after its launch was taken: the
    // reminder, due on the user's clock, would then fire before it, as it should. Due later, it is cancelled.
    config = CONFIG.replace("\"within\": \"PT10S\"", "\"within\": \"PT60S\"");
    List<JarNode> cluster = startCluster(3);
    users.script("all", 150, Instant.now().minus(Duration.ofHours(2)));
    // Any node's port, up or not: while every node is down, the clients resend until one is back.
    users.send(() -> cluster.get(ThreadLocalRandom.current().nextInt(cluster.size())).httpPort, Duration.ofMillis(300));

    for (int round = 1; round <= 3; round++) {
      long wait = 1000 + ThreadLocalRandom.current().nextInt(2000);
      LOG.info("round {}: killing every node in {} ms", round, wait);
      await().pollDelay(Duration.ofMillis(wait)).atMost(Duration.ofMillis(wait + 1000)).until(() -> true);
      cluster.forEach(JarNode::kill);
      for (JarNode node : cluster) {
        assertThat(node.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
      }
      if (round < 3) {
        for (JarNode node : cluster) {
          node.start();
        }
        cluster.forEach(n -> n.awaitReady(READY));
      } else {
        // node-2's disk is lost as well: the other two hold a copy of every user between them.
        try (var files = java.nio.file.Files.walk(stateDirs.resolve("node-2"))) {
          files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
        }
        cluster.get(0).start();
        cluster.get(1).start();
        cluster.get(0).awaitReady(READY);
        cluster.get(1).awaitReady(READY);
        cluster.get(2).start().awaitReady(READY);
      }
    }
    assertNothingLostNothingWrong("every node killed at once, three times, a disk lost the last time");
  }

  @Test
  void everyNodeStoppedAndStartedAgainKeepsAPendingReminderAndAnOpenSession() throws Exception {
    List<JarNode> cluster = startCluster(3);
    Instant at = Instant.now();
    users.users.add(new ScriptedUsers.User("waiting", List.of("{\"type\": \"app_launch\", \"userId\": \"waiting\", "
        + "\"deviceId\": \"d\", \"occurredAt\": \"" + at + "\"}"), "training_reminder", -1));
    users.users.add(new ScriptedUsers.User("training", List.of("{\"type\": \"training_program_started\", "
        + "\"userId\": \"training\", \"deviceId\": \"d\", \"occurredAt\": \"" + at.minusSeconds(3600) + "\", "
        + "\"data\": {\"programId\": \"p\"}}"), "training_congratulation", 40));
    users.send(() -> cluster.get(0).httpPort, Duration.ZERO);
    users.awaitSent(Duration.ofSeconds(30));

    // One after another: each hands its users to those left; the last one saves them all.
    for (JarNode node : cluster) {
      node.sigterm();
      node.awaitExit(Duration.ofSeconds(30));
    }
    assertThat(cluster.get(2).output()).anySatisfy(line -> assertThat(line).contains("last node of the cluster"));
    // Nothing was sent before the stop: the reminder and the session crossed it.
    assertThat(users.received).isEmpty();
    for (JarNode node : cluster) {
      node.start();
    }
    cluster.forEach(n -> n.awaitReady(READY));

    users.users.set(1, new ScriptedUsers.User("training", List.of("{\"type\": \"training_program_finished\", "
        + "\"userId\": \"training\", \"deviceId\": \"d\", \"occurredAt\": \"" + at.minusSeconds(3600 - 40 * 60) + "\", "
        + "\"data\": {\"programId\": \"p\"}}"), "training_congratulation", 40));
    users.send(() -> cluster.get(1).httpPort, Duration.ZERO);
    assertNothingLostNothingWrong("every node stopped and started again");
  }
}
