package io.eventsprocessor;

import static io.eventsprocessor.HttpClient.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.eventsprocessor.FakeNotificationService.Received;
import io.eventsprocessor.state.Journal;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes of a cluster in one JVM, each a clustered Vert.x with the real main verticle, against one fake
 * notification service: a user's events taken by any node, duplicates recognised across nodes, a node's crash
 * (its Hazelcast member terminated, as a kill would) losing nothing and sending nothing twice, dead letters seen
 * from every node. The separate processes, kill -9 and rolling restarts are in {@code ClusterIT}.
 */
class ClusterEndToEndTest {
  @TempDir Path stateDirs;
  Vertx plain;
  FakeNotificationService notifications;
  final List<Node> nodes = new ArrayList<>();
  final String clusterName = "test-" + UUID.randomUUID();
  List<Integer> ports;

  record Node(Vertx vertx, HazelcastInstance hazelcast, MainVerticle main, HttpClient http, HttpClient admin) {}

  @BeforeEach
  void start() throws Exception {
    plain = Vertx.vertx();
    notifications = new FakeNotificationService(plain).start().await(10, TimeUnit.SECONDS);
    ports = List.of(freePort(), freePort(), freePort());
  }

  @AfterEach
  void stop() throws Exception {
    for (Node node : nodes) {
      node.vertx().close().await(30, TimeUnit.SECONDS);
    }
    plain.close().await(10, TimeUnit.SECONDS);
  }

  /** Below the ephemeral range, never twice in this JVM (see {@link JarNode#freePort}). */
  static int freePort() throws IOException {
    return JarNode.freePort();
  }

  /** The families every node runs: the service's, and the test-only one (which no code under cluster/ knows). */
  static final List<io.eventsprocessor.rules.RuleFamily<?>> FAMILIES = RuleFamilyEndToEndTest.WITH_NUDGE;

  /** Where node i reads its config again when its rules are reloaded, when a test gives one. */
  final List<java.util.function.Supplier<JsonObject>> reloadSources = new ArrayList<>();

  /** Node i's config, as the tests give it. */
  JsonObject nodeConfig(int index) {
    return InJvmCluster.nodeConfig(notifications.url(), stateDirs.resolve("node-" + index))
        .put("cluster", InJvmCluster.clusterSection(clusterName, ports, index));
  }

  Node startNode(int index, JsonObject overrides) throws Exception {
    JsonObject config = nodeConfig(index).mergeIn(overrides, true);
    HazelcastClusterManager manager = InJvmCluster.member(config.getJsonObject("cluster"));
    Vertx vertx = Vertx.builder().with(new VertxOptions()).withClusterManager(manager).buildClustered()
        .await(60, TimeUnit.SECONDS);
    MainVerticle main = new MainVerticle(Clock.systemUTC(), null, Map.of(), FAMILIES,
        Journal.SegmentOpener.FILES, false, manager::getHazelcastInstance)
        .reloadingFrom(index < reloadSources.size() ? reloadSources.get(index) : null);
    vertx.deployVerticle(main, new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
    Node node = new Node(vertx, manager.getHazelcastInstance(), main, new HttpClient(vertx, main.httpPort()),
        new HttpClient(vertx, main.adminPort()));
    nodes.add(node);
    return node;
  }

  List<Node> startCluster(JsonObject overrides) throws Exception {
    for (int i = 0; i < 3; i++) {
      startNode(i, overrides);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream()
        .allMatch(n -> n.hazelcast().getCluster().getMembers().size() == 3 && n.hazelcast().getPartitionService().isClusterSafe()
            && n.main().refusal() == null));
    return nodes;
  }

  List<Received> deliveredExactly(int count) {
    await().atMost(Duration.ofSeconds(20)).until(() -> notifications.delivered().size() >= count);
    // Whatever more could come would come from a poll: a few polls' time, on top of the delivery's own.
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> notifications.delivered().size() == count);
    return notifications.delivered();
  }

  @Test
  void aUsersEventsTakenByDifferentNodesGiveTheTasksTwoNotifications() throws Exception {
    List<Node> cluster = startCluster(new JsonObject());
    List<String> events = ServiceEndToEndTest.TASK_EVENTS;
    for (int i = 0; i < events.size(); i++) {
      HttpClient.Response answer = cluster.get(i % 3).http().postEvent(resource("examples/legacy/" + events.get(i) + ".json"));
      assertThat(answer.status()).as(events.get(i)).isEqualTo(202);
    }
    List<Received> delivered = deliveredExactly(2);
    assertThat(delivered).filteredOn(r -> r.kind().equals("training_congratulation")).singleElement()
        .satisfies(r -> assertThat(r.message()).contains("36 minutes"));
    assertThat(delivered).filteredOn(r -> r.kind().equals("training_reminder")).singleElement()
        .satisfies(r -> assertThat(r.userId()).isEqualTo("foo2"));
  }

  @Test
  void aUserSprayingEveryNodeIsHeldToItsRateInAll() throws Exception {
    List<Node> cluster = startCluster(new JsonObject().put("rateLimit", new JsonObject()
        .put("perUser", new JsonObject().put("eventsPerSecond", 1).put("burst", 3))
        .put("perAddress", new JsonObject().put("requestsPerSecond", 1000).put("burst", 1000))));
    long started = System.nanoTime();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      HttpClient.Response answer = cluster.get(i % 3).http().postEvent(AccessEndToEndTest.launch("sprayer", i));
      statuses.add(answer.status());
      if (answer.status() == 429) {
        assertThat(answer.retryAfter()).isEqualTo("1");
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    // Kept by the user's owner, whichever node took each event: the burst, and a token a second since. Each
    // node keeping its own would have taken three (the burst) at every node.
    assertThat(statuses.subList(0, 3)).containsOnly(202);
    assertThat(statuses.stream().filter(s -> s == 202).count()).as("%s in %.1f s", statuses, seconds)
        .isLessThanOrEqualTo(3 + (long) Math.ceil(seconds));
    // Another user, meanwhile, is not held back.
    assertThat(cluster.get(1).http().postEvent(AccessEndToEndTest.launch("neighbour", 0)).status()).isEqualTo(202);
  }

  @Test
  void anEventResentToAnotherNodeIsADuplicate() throws Exception {
    List<Node> cluster = startCluster(new JsonObject());
    String start = resource("examples/improved/2-foo1-started.json");
    assertThat(cluster.get(0).http().postEvent(start).status()).isEqualTo(202);
    HttpClient.Response again = cluster.get(1).http().postEvent(start);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("status")).isEqualTo("duplicate");
  }

  @Test
  void aNodesCrashLosesNoReminderAndSendsNoneTwice() throws Exception {
    List<Node> cluster = startCluster(new JsonObject()
        .put("rules", new JsonObject().put("reminder", new JsonObject().put("within", "PT3S"))));
    int users = 60;
    for (int i = 0; i < users; i++) {
      assertThat(cluster.get(i % 3).http().postEvent("{\"type\": \"app_launch\", \"userId\": \"u" + i
          + "\", \"deviceId\": \"d\", \"occurredAt\": \"2026-01-01T10:00:00Z\"}").status()).isEqualTo(202);
    }
    // Ready: joined (its quorum seen) and every user backed up.
    JsonObject ready = cluster.get(0).http().get("/health/ready").json();
    assertThat(ready.getString("status")).isEqualTo("UP");
    assertThat(ready.getJsonObject("checks").fieldNames()).contains("state", "backups");
    // As a kill would: no goodbye, the others find out from the missing member.
    cluster.get(2).hazelcast().getLifecycleService().terminate();

    List<Received> delivered = deliveredExactly(users);
    assertThat(delivered).extracting(Received::userId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, users).mapToObj(i -> "u" + i).toList());
  }

  @Test
  void deadLettersAreTheClustersAndAnyNodeCanSendOneAgain() throws Exception {
    List<Node> cluster = startCluster(new JsonObject());
    notifications.answerNext(400);
    cluster.get(0).http().postEvent(resource("examples/improved/2-foo1-started.json"));
    cluster.get(0).http().postEvent(resource("examples/improved/5-foo1-finished.json"));
    await().atMost(Duration.ofSeconds(20)).until(() -> cluster.get(2).admin().get("/v1/admin/dead-letters").body().contains("foo1"));

    String id = new io.vertx.core.json.JsonArray(cluster.get(1).admin().get("/v1/admin/dead-letters").body())
        .getJsonObject(0).getString("id");
    assertThat(cluster.get(1).admin().request(io.vertx.core.http.HttpMethod.POST, "/v1/admin/dead-letters/" + id + "/retry")
        .status()).isEqualTo(202);
    assertThat(deliveredExactly(1)).singleElement().satisfies(r -> assertThat(r.body().getString("id")).isEqualTo(id));
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.get(0).admin().get("/v1/admin/dead-letters").body().equals("[]"));
  }

  /** The sum over the nodes of a metric's value, as each node's admin API gives it. */
  double sumOf(String metric) {
    double sum = 0;
    for (Node node : nodes) {
      if (!node.hazelcast().getLifecycleService().isRunning()) {
        continue;
      }
      for (String line : node.admin().get("/metrics").body().split("\n")) {
        if (line.startsWith(metric + " ")) {
          sum += Double.parseDouble(line.substring(metric.length() + 1));
        }
      }
    }
    return sum;
  }

  @Test
  void aFamilyOnlyTheTestsKnowRunsInTheClusterAndItsStateSurvivesItsOwnersDeath() throws Exception {
    List<Node> cluster = startCluster(new JsonObject()
        .put("rules", new JsonObject().put("nudge", new JsonObject().put("after", 3))));
    String nudge = "events_processor_users{family=\"nudge\"}";
    assertThat(cluster.get(0).http().postEvent(RuleFamilyEndToEndTest.skipped("u1", "10:00:00", "no time")).status())
        .isEqualTo(202);
    assertThat(cluster.get(1).http().postEvent(RuleFamilyEndToEndTest.cancelled("u1", "11:00:00")).status())
        .isEqualTo(202);
    // The user is counted once in the cluster: by the node that owns it.
    await().atMost(Duration.ofSeconds(10)).until(() -> sumOf(nudge) == 1);

    // The owner dies as a kill would: the streak of two lives on in the backup.
    Node survivor = killOwnerOf(cluster, "u1");
    await().atMost(Duration.ofSeconds(20)).until(() -> sumOf(nudge) == 1);

    assertThat(survivor.http().postEvent(RuleFamilyEndToEndTest.skipped("u1", "12:00:00", "tired")).status())
        .isEqualTo(202);
    assertThat(deliveredExactly(1)).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_nudge");
      assertThat(r.message()).isEqualTo("3 programs given up in a row (tired): how about a shorter one?");
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> sumOf(nudge) == 0);
  }

  @Test
  void eachNodeReloadsItsRulesNodesWithOtherRulesAreNotReadyAndAConfiguredRulesStateSurvivesItsOwnersDeath()
      throws Exception {
    List<java.nio.file.Path> files = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      java.nio.file.Path file = java.nio.file.Files.writeString(stateDirs.resolve("conf-" + i + ".json"), "{}");
      files.add(file);
      reloadSources.add(() -> nodeConfig(files.indexOf(file)).mergeIn(
          io.eventsprocessor.config.ConfigFile.read(file.toString()), true));
    }
    List<Node> cluster = startCluster(new JsonObject());
    String examples = java.nio.file.Files.readString(java.nio.file.Path.of("conf/example-rules.json"));

    // One node reloaded: the cluster runs two sets of rules, which every node's readiness reports (still ready: a
    // rolling reload makes the nodes differ for a moment, and not ready everywhere would be an outage).
    java.nio.file.Files.writeString(files.get(0), examples);
    assertThat(reload(cluster.get(0)).status()).isEqualTo(200);
    for (Node node : cluster) {
      await().atMost(Duration.ofSeconds(10)).until(() -> rulesCheck(node).equals("DOWN"));
      assertThat(node.http().get("/health/ready").status()).isEqualTo(200);
    }
    // Every node reloaded: the same rules everywhere.
    for (int i = 1; i < 3; i++) {
      java.nio.file.Files.writeString(files.get(i), examples);
      assertThat(reload(cluster.get(i)).status()).isEqualTo(200);
    }
    for (Node node : cluster) {
      await().atMost(Duration.ofSeconds(10)).until(() -> rulesCheck(node).equals("UP"));
    }

    // A yoga session started, its owner dies, it ends on another node: congratulated with its minutes.
    assertThat(cluster.get(0).http().postEvent(ModesEndToEndTest.yoga("yoga_session_started", "yogi", "s1", "07:00:00"))
        .json().getString("status")).isEqualTo("accepted");
    Node survivor = killOwnerOf(cluster, "yogi");
    assertThat(survivor.http().postEvent(ModesEndToEndTest.yoga("yoga_session_ended", "yogi", "s1", "07:40:00"))
        .status()).isEqualTo(202);
    assertThat(deliveredExactly(1)).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("yoga_congratulation");
      assertThat(r.message()).isEqualTo("Namaste! 40 minutes of yoga today.");
    });
  }

  @Test
  void aCongratulationDeferredByQuietHoursGoesOutOnceAfterItsOwnerDied() throws Exception {
    List<Node> cluster = startCluster(GuardedEndToEndTest.GUARDED);
    for (String event : List.of(
        GuardedEndToEndTest.program("training_program_started", "eve", "p1", "23:00"),
        GuardedEndToEndTest.program("training_program_finished", "eve", "p1", "23:40"))) {
      assertThat(cluster.get(0).http().postEvent(event).status()).isEqualTo(202);
    }
    Node survivor = killOwnerOf(cluster, "eve");
    assertThat(notifications.delivered()).isEmpty();

    // Her next event shows her clock past 07:00 in Berlin: the congratulation held since 23:40 goes out, once.
    assertThat(survivor.http().postEvent("{\"type\": \"app_launch\", \"userId\": \"eve\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2026-06-01T07:05:00+02:00\"}").status()).isEqualTo(202);
    assertThat(deliveredExactly(1)).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_congratulation");
      assertThat(r.body().getString("locale")).isEqualTo("de");
      assertThat(r.message()).contains("40 Minuten");
    });
  }

  /** The node that owns the user dies as a kill would; a node that survives, once it takes events again. */
  static Node killOwnerOf(List<Node> cluster, String userId) {
    var owner = cluster.get(0).hazelcast().getPartitionService().getPartition(userId).getOwner();
    Node dying = cluster.stream().filter(n -> n.hazelcast().getCluster().getLocalMember().equals(owner)).findFirst()
        .orElseThrow();
    dying.hazelcast().getLifecycleService().terminate();
    Node survivor = cluster.stream().filter(n -> n != dying).findFirst().orElseThrow();
    await().atMost(Duration.ofSeconds(20)).until(() -> survivor.hazelcast().getCluster().getMembers().size() == 2
        && survivor.main().refusal() == null);
    return survivor;
  }

  static String rulesCheck(Node node) {
    return node.http().get("/health/ready").json().getJsonObject("checks").getJsonObject("rules").getString("status");
  }

  HttpClient.Response reload(Node node) {
    return node.admin().post("/v1/admin/rules/reload", null, io.vertx.core.buffer.Buffer.buffer());
  }
}
