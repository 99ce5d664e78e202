package io.eventsprocessor;

import static io.eventsprocessor.HttpClient.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.eventsprocessor.FakeNotificationService.Received;
import io.eventsprocessor.HttpClient.Response;
import io.eventsprocessor.contract.OpenApiContract;
import io.eventsprocessor.state.Journal;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One suite of behaviour, run against both modes: a single node (the real main verticle, its journaled store), and a
 * cluster of three in-JVM nodes (each a clustered Vert.x with the real main verticle, on the cluster's map). Every
 * test makes the same requests and the same assertions in both; the notifications' ids, the dead-letter records and
 * the {@code events_processor_users} totals must not depend on the mode. Events are posted round-robin over the nodes
 * (a single node is node 0, 1 and 2 alike), the admin API is read on each node in turn.
 *
 * <p>Each mode's service is started once for the class (a cluster takes seconds to form on two cores) and each test
 * has users of its own; each test waits for the notifications its events cause, so that the next one starts from a
 * service with nothing in flight. Both modes run the test-only rule family ({@link RuleFamilyEndToEndTest#WITH_NUDGE})
 * on the wall clock (a cluster cannot run on a virtual one), with a reminder delay of seconds.
 */
class ModesEndToEndTest {
  enum Mode { SINGLE_NODE, CLUSTER }

  static final String ADMIN_TOKEN = "admin-token-of-the-modes-test";
  /** The same settings in both modes. */
  static final JsonObject SETTINGS = exampleRules().mergeIn(new JsonObject()
      .put("rules", new JsonObject()
          .put("reminder", new JsonObject().put("within", "PT2S"))
          .put("nudge", new JsonObject().put("after", 3)))
      .put("admin", new JsonObject().put("token", ADMIN_TOKEN)), true);

  /** The task's two notifications: their ids are derived from their causes, never from where they were decided. */
  static final String FOO2_REMINDER = "472fa796-1c1e-3e06-8371-71bd79ec0481";
  static final String FOO1_CONGRATULATION = "c62fc593-3ec9-327b-89cb-bb52d8ed7fa2";

  static final Map<Mode, Service> services = new EnumMap<>(Mode.class);
  /** What a test saw in each mode, to compare the two once both ran (besides asserting each against constants). */
  static final Map<String, Map<Mode, Object>> seen = new LinkedHashMap<>();

  /**
   * The service under test as the tests see it: its nodes' HTTP APIs (contract-checked) and admin APIs, and the fake
   * notification service that receives what any node delivers.
   */
  static final class Service implements AutoCloseable {
    final Mode mode;
    final Vertx plain;
    final FakeNotificationService notifications;
    final List<Vertx> vertxes = new ArrayList<>();
    final List<MainVerticle> mains = new ArrayList<>();
    final List<HazelcastInstance> members = new ArrayList<>();
    final List<HttpClient> http = new ArrayList<>();
    final List<HttpClient> admin = new ArrayList<>();
    /** The admin API's dead-letter calls, held to the OpenAPI document. */
    final List<HttpClient> adminContract = new ArrayList<>();
    final Path stateDirs;

    private Service(Mode mode) throws Exception {
      this.mode = mode;
      this.plain = Vertx.vertx();
      this.notifications = new FakeNotificationService(plain).start().await(10, TimeUnit.SECONDS);
      this.stateDirs = Files.createTempDirectory("modes-" + mode.name().toLowerCase() + "-");
    }

    static Service start(Mode mode) throws Exception {
      Service service = new Service(mode);
      try {
        if (mode == Mode.SINGLE_NODE) {
          service.startNode(0, null, null);
        } else {
          String name = "modes-" + UUID.randomUUID();
          List<Integer> ports = List.of(freePort(), freePort(), freePort());
          for (int i = 0; i < ports.size(); i++) {
            service.startNode(i, name, ports);
          }
          await().atMost(Duration.ofSeconds(60)).until(() -> service.members.stream()
              .allMatch(m -> m.getCluster().getMembers().size() == 3 && m.getPartitionService().isClusterSafe())
              && service.mains.stream().allMatch(m -> m.refusal() == null));
        }
      } catch (Exception | AssertionError e) {
        service.close();
        throw e;
      }
      return service;
    }

    private void startNode(int index, String clusterName, List<Integer> ports) throws Exception {
      JsonObject config = InJvmCluster.nodeConfig(notifications.url(), stateDirs.resolve("node-" + index))
          .mergeIn(SETTINGS.copy(), true);
      Vertx vertx;
      HazelcastClusterManager manager = null;
      if (clusterName == null) {
        vertx = Vertx.vertx();
      } else {
        JsonObject cluster = InJvmCluster.clusterSection(clusterName, ports, index);
        config.put("cluster", cluster);
        manager = InJvmCluster.member(cluster);
        vertx = Vertx.builder().with(new VertxOptions()).withClusterManager(manager).buildClustered()
            .await(60, TimeUnit.SECONDS);
      }
      vertxes.add(vertx);
      HazelcastClusterManager clustered = manager;
      MainVerticle main = new MainVerticle(Clock.systemUTC(), null, Map.of(), RuleFamilyEndToEndTest.WITH_NUDGE,
          Journal.SegmentOpener.FILES, false, clustered == null ? null : clustered::getHazelcastInstance);
      vertx.deployVerticle(main, new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
      mains.add(main);
      if (clustered != null) {
        members.add(clustered.getHazelcastInstance());
      }
      http.add(new HttpClient(vertx, main.httpPort()).observedBy(HttpClient.CONTRACT));
      admin.add(new HttpClient(vertx, main.adminPort()));
      adminContract.add(new HttpClient(vertx, main.adminPort()).observedBy(HttpClient.CONTRACT));
    }

    int nodes() {
      return mains.size();
    }

    /** The HTTP API of node {@code i} (modulo the nodes). */
    HttpClient http(int i) {
      return http.get(i % nodes());
    }

    Response post(int node, String event) {
      return http(node).postEvent(event);
    }

    Response adminGet(int node, String path) {
      return admin.get(node % nodes()).getWithBearer(path, ADMIN_TOKEN);
    }

    /** The dead letters as node {@code i}'s admin API lists them, the answer held to the contract. */
    JsonArray deadLetters(int node) {
      Response answer = adminContract.get(node % nodes()).getWithBearer("/v1/admin/dead-letters", ADMIN_TOKEN);
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      return new JsonArray(answer.body());
    }

    Response retryDeadLetter(int node, String id) {
      return adminContract.get(node % nodes()).post("/v1/admin/dead-letters/" + id + "/retry", null, Buffer.buffer(),
          Map.of("Authorization", "Bearer " + ADMIN_TOKEN));
    }

    /** {@code events_processor_users} of each family, summed over the nodes' {@code /metrics}. */
    Map<String, Double> users() {
      Map<String, Double> users = new java.util.TreeMap<>();
      String prefix = "events_processor_users{family=\"";
      for (int i = 0; i < nodes(); i++) {
        Response metrics = adminGet(i, "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        for (String line : metrics.body().split("\n")) {
          if (line.startsWith(prefix)) {
            String family = line.substring(prefix.length(), line.indexOf('"', prefix.length()));
            users.merge(family, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
          }
        }
      }
      return users;
    }

    /**
     * The notifications delivered to these users: waits for {@code count}, then for whatever more could come of what
     * was posted (a cluster's owner polls for due users), and checks there are exactly {@code count}.
     */
    List<Received> deliveredExactly(Set<String> users, int count) {
      await().atMost(Duration.ofSeconds(20)).until(() -> deliveredTo(users).size() >= count);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> deliveredTo(users).size() == count);
      return deliveredTo(users);
    }

    List<Received> deliveredTo(Set<String> users) {
      return notifications.delivered().stream().filter(r -> users.contains(r.userId())).toList();
    }

    @Override
    public void close() throws Exception {
      for (Vertx vertx : vertxes) {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
      plain.close().await(10, TimeUnit.SECONDS);
      try (var files = Files.walk(stateDirs)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The docs' two example rules and their event types, from the file the docs show (conf/example-rules.json). */
  static JsonObject exampleRules() {
    try {
      return new JsonObject(Files.readString(Path.of("conf/example-rules.json")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Below the ephemeral range, never twice in this JVM (see {@link JarNode#freePort}). */
  static int freePort() throws IOException {
    return JarNode.freePort();
  }

  static synchronized Service service(Mode mode) throws Exception {
    Service service = services.get(mode);
    if (service == null) {
      service = Service.start(mode);
      services.put(mode, service);
    }
    return service;
  }

  @AfterAll
  static void stopServices() throws Exception {
    for (Service service : services.values()) {
      service.close();
    }
    services.clear();
  }

  /** Records what the test saw in this mode and, once both modes ran it, that they saw the same. */
  static void sameInBothModes(String what, Mode mode, Object value) {
    Map<Mode, Object> byMode = seen.computeIfAbsent(what, w -> new EnumMap<>(Mode.class));
    byMode.put(mode, value);
    if (byMode.size() == Mode.values().length) {
      assertThat(byMode.get(Mode.CLUSTER)).as("%s in a cluster, against a single node", what)
          .isEqualTo(byMode.get(Mode.SINGLE_NODE));
    }
  }

  static String launch(String user, String at) {
    return "{\"type\": \"app_launch\", \"userId\": \"" + user + "\", \"deviceId\": \"d\", \"occurredAt\": \"2026-01-01T"
        + at + "Z\"}";
  }

  static String training(String type, String user, String id, String at) {
    return "{\"id\": \"" + id + "\", \"type\": \"" + type + "\", \"userId\": \"" + user
        + "\", \"deviceId\": \"d\", \"occurredAt\": \"2026-01-01T" + at
        + "Z\", \"data\": {\"programId\": \"p1\", \"programTitle\": \"Morning Yoga\"}}";
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theTasksFiveEventsGiveTheSameTwoNotificationsInBothModes(Mode mode) throws Exception {
    Service service = service(mode);
    List<String> events = ServiceEndToEndTest.TASK_EVENTS;
    for (int i = 0; i < events.size(); i++) {
      Response answer = service.post(i, resource("examples/legacy/" + events.get(i) + ".json"));
      assertThat(answer.status()).as(events.get(i)).isEqualTo(202);
      assertThat(answer.json().getString("status")).isEqualTo("accepted");
    }

    List<Received> delivered = service.deliveredExactly(Set.of("foo1", "foo2"), 2);
    Map<String, String> byId = delivered.stream()
        .collect(Collectors.toMap(r -> r.body().getString("id"), Received::message));
    assertThat(byId).containsOnlyKeys(FOO2_REMINDER, FOO1_CONGRATULATION);
    assertThat(byId.get(FOO2_REMINDER))
        .isEqualTo("Ready when you are: start a training program now, even a short one makes today count!");
    assertThat(byId.get(FOO1_CONGRATULATION)).isEqualTo("Congratulations! You trained for 36 minutes with 7 Minutes of "
        + "HIIT Training today: that is your daily training dose done.");
    // Each once, under its own id as the Idempotency-Key.
    assertThat(service.notifications.requests()).filteredOn(r -> Set.of("foo1", "foo2").contains(r.userId()))
        .allSatisfy(r -> assertThat(r.idempotencyKey()).isEqualTo(r.body().getString("id")));
    sameInBothModes("the task's notifications", mode, delivered.stream().map(Received::body)
        .sorted(Comparator.comparing(b -> b.getString("id"))).toList());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aResendIsADuplicateOnAnyNodeAndAnUnsupportedEventIsUnsupportedAgain(Mode mode) throws Exception {
    Service service = service(mode);
    String start = training("training_program_started", "resender", "resent-start-1", "09:00:00");
    Response first = service.post(0, start);
    assertThat(first.status()).isEqualTo(202);
    assertThat(first.json()).isEqualTo(new JsonObject().put("id", "resent-start-1").put("status", "accepted"));
    for (int node = 0; node < 3; node++) {
      Response again = service.post(node + 1, start);
      assertThat(again.status()).as("resent to node %d", (node + 1) % service.nodes()).isEqualTo(200);
      assertThat(again.json()).isEqualTo(new JsonObject().put("id", "resent-start-1").put("status", "duplicate"));
    }
    // A batch recognises it too, next to a new event of the same user.
    Response batch = service.http(2).postBatch("[" + start + ","
        + training("training_program_paused", "resender", "resent-pause-1", "09:05:00") + "]");
    assertThat(batch.statuses()).containsExactly("duplicate", "accepted");

    // A type no family declares is kept nowhere: every resend is unsupported again, on every node.
    String rated = "{\"id\": \"rated-1\", \"type\": \"workout_rated\", \"userId\": \"rater\", \"deviceId\": \"d\", "
        + "\"occurredAt\": \"2026-01-01T09:00:00Z\", \"data\": {\"stars\": 5}}";
    List<String> answers = new ArrayList<>();
    for (int node = 0; node < 4; node++) {
      Response answer = service.post(node, rated);
      answers.add(answer.status() + " " + answer.body());
    }
    assertThat(answers).containsOnly("202 {\"id\":\"rated-1\",\"status\":\"unsupported\"}");
    sameInBothModes("resend answers", mode, List.of(first.body(), batch.body(), answers));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aRefusedNotificationIsTheSameDeadLetterInBothModesAndCanBeSentAgain(Mode mode) throws Exception {
    Service service = service(mode);
    String user = "refused-trainee";
    // Forty minutes of training: a congratulation, which the receiver refuses as a bad request.
    service.notifications.answerNext(400);
    assertThat(service.post(0, training("training_program_started", user, "dl-start", "08:00:00")).status())
        .isEqualTo(202);
    assertThat(service.post(1, training("training_program_finished", user, "dl-finish", "08:40:00")).status())
        .isEqualTo(202);

    // Listed by every node's admin API: the same record.
    await().atMost(Duration.ofSeconds(20)).until(() -> forUser(service.deadLetters(2), user) != null);
    JsonObject dead = forUser(service.deadLetters(2), user);
    for (int node = 0; node < 3; node++) {
      assertThat(forUser(service.deadLetters(node), user)).as("node %d", node).isEqualTo(dead);
    }
    assertThat(dead.fieldNames()).containsExactlyInAnyOrder("id", "notification", "attempts", "lastError", "queuedAt",
        "failedAt");
    String id = dead.getString("id");
    assertThat(id).isEqualTo(io.eventsprocessor.notify.Notification.of("training_congratulation", user, "d", "",
        Map.of(), "dl-finish").id());
    assertThat(dead.getInteger("attempts")).isEqualTo(1);
    assertThat(dead.getString("lastError")).isEqualTo("status 400");
    assertThat(dead.getJsonObject("notification")).isEqualTo(new JsonObject()
        .put("id", id).put("kind", "training_congratulation").put("userId", user).put("deviceId", "d")
        .put("message", "Congratulations! You trained for 40 minutes with Morning Yoga today: that is your daily "
            + "training dose done.")
        .put("data", new JsonObject().put("minutes", 40).put("programId", "p1").put("programTitle", "Morning Yoga"))
        .put("triggeredBy", "dl-finish").put("locale", "en"));
    // Times as RFC 3339 text in both modes, in order.
    Instant queuedAt = Instant.parse(dead.getString("queuedAt"));
    Instant failedAt = Instant.parse(dead.getString("failedAt"));
    assertThat(failedAt).isAfterOrEqualTo(queuedAt).isBefore(Instant.now().plusSeconds(1));
    assertThat(OpenApiContract.get().componentViolations("DeadLetter", dead)).isEmpty();
    // The check can fail: a time as epoch millis (as a cluster once answered) breaks the contract.
    assertThat(OpenApiContract.get().componentViolations("DeadLetter",
        dead.copy().put("failedAt", failedAt.toEpochMilli()))).isNotEmpty();
    assertThat(OpenApiContract.get().operationId("POST", "/v1/admin/dead-letters/" + id + "/retry"))
        .isEqualTo("retryDeadLetter");
    JsonObject withoutTimes = dead.copy();
    withoutTimes.remove("queuedAt");
    withoutTimes.remove("failedAt");
    sameInBothModes("the dead letter, its times aside", mode, withoutTimes);

    // Each node's outbox counts the dead letters it made: one over the nodes, as on one node.
    assertThat(outboxDeadLetters(service)).isEqualTo(1);

    // Without the token: refused, as the contract says.
    Response unauthorized = service.adminContract.get(0).get("/v1/admin/dead-letters");
    assertThat(unauthorized.status()).isEqualTo(401);

    // Sent again from another node than the one that listed it; delivered under the same id, gone from the list.
    Response retried = service.retryDeadLetter(1, id);
    assertThat(retried.status()).isEqualTo(202);
    assertThat(retried.json()).isEqualTo(new JsonObject().put("id", id).put("status", "queued"));
    assertThat(service.deliveredExactly(Set.of(user), 1)).singleElement().satisfies(r -> {
      assertThat(r.body().getString("id")).isEqualTo(id);
      assertThat(r.body()).isEqualTo(dead.getJsonObject("notification"));
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> forUser(service.deadLetters(0), user) == null);
    Response again = service.retryDeadLetter(2, id);
    assertThat(again.status()).isEqualTo(404);
    await().atMost(Duration.ofSeconds(10)).until(() -> outboxDeadLetters(service) == 0);
  }

  /** {@code deadLetters} of {@code GET /v1/admin/outbox}, summed over the nodes. */
  static int outboxDeadLetters(Service service) {
    int sum = 0;
    for (int node = 0; node < service.nodes(); node++) {
      sum += service.adminGet(node, "/v1/admin/outbox").json().getInteger("deadLetters");
    }
    return sum;
  }

  static JsonObject forUser(JsonArray deadLetters, String user) {
    return deadLetters.stream().map(JsonObject.class::cast)
        .filter(d -> user.equals(d.getJsonObject("notification").getString("userId"))).findFirst().orElse(null);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theUsersOfEachFamilyAddUpTheSameOverTheNodes(Mode mode) throws Exception {
    Service service = service(mode);
    Map<String, Double> before = service.users();
    assertThat(before).containsOnlyKeys("congratulation", "reminder", "paused_nudge", "yoga_congratulation", "nudge");

    // A program in progress (congratulation, and the reminder family, which keeps it), a give-up (nudge).
    assertThat(service.post(0, training("training_program_started", "counted-trainee", "c-start", "07:00:00")).status())
        .isEqualTo(202);
    assertThat(service.post(1, RuleFamilyEndToEndTest.skipped("counted-skipper", "07:00:00", "no time")).status())
        .isEqualTo(202);
    Map<String, Double> expected = Map.of("congratulation", 1.0, "reminder", 1.0, "paused_nudge", 0.0,
        "yoga_congratulation", 0.0, "nudge", 1.0);
    await().atMost(Duration.ofSeconds(10)).until(() -> difference(service.users(), before).equals(expected));

    // A launch and no start: the reminder is due two seconds later on the wall clock, sent, and the user no longer
    // counted.
    Response launched = service.post(2, launch("counted-launcher", "07:00:00"));
    assertThat(launched.status()).isEqualTo(202);
    assertThat(service.deliveredExactly(Set.of("counted-launcher"), 1)).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_reminder");
      assertThat(r.body().getString("triggeredBy")).isEqualTo(launched.json().getString("id"));
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> difference(service.users(), before).equals(expected));

    // The program ends, too short for a congratulation: counted by no family any more.
    assertThat(service.post(3, training("training_program_finished", "counted-trainee", "c-finish", "07:05:00")).status())
        .isEqualTo(202);
    Map<String, Double> after = Map.of("congratulation", 0.0, "reminder", 0.0, "paused_nudge", 0.0,
        "yoga_congratulation", 0.0, "nudge", 1.0);
    await().atMost(Duration.ofSeconds(10)).until(() -> difference(service.users(), before).equals(after));
    assertThat(service.deliveredTo(Set.of("counted-trainee", "counted-skipper"))).isEmpty();
    sameInBothModes("the users' totals before this test", mode, before);
  }

  static Map<String, Double> difference(Map<String, Double> now, Map<String, Double> before) {
    Map<String, Double> difference = new java.util.TreeMap<>();
    now.forEach((family, users) -> difference.put(family, users - before.getOrDefault(family, 0.0)));
    return difference;
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theTestOnlyFamilysOwnEventTypeAndNotificationWorkEndToEnd(Mode mode) throws Exception {
    Service service = service(mode);
    String user = "nudged";
    Map<String, Double> before = service.users();
    Response skipped = service.post(0, RuleFamilyEndToEndTest.skipped(user, "10:00:00", "no time"));
    assertThat(skipped.status()).isEqualTo(202);
    assertThat(skipped.json().getString("status")).isEqualTo("accepted");
    // Validated as the family declares it, under its legacy names, on every node.
    Response tooLong = service.post(1, RuleFamilyEndToEndTest.skipped(user, "10:10:00", "x".repeat(65)));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("skip_reason");
    assertThat(service.post(1, RuleFamilyEndToEndTest.cancelled(user, "11:00:00")).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> difference(service.users(), before).get("nudge") == 1.0);
    assertThat(service.post(2, RuleFamilyEndToEndTest.skipped(user, "12:00:00", "tired")).status()).isEqualTo(202);

    List<Received> delivered = service.deliveredExactly(Set.of(user), 1);
    assertThat(delivered).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo("training_nudge");
      assertThat(r.message()).isEqualTo("3 programs given up in a row (tired): how about a shorter one?");
    });
    // The streak is over: the user is counted no more.
    await().atMost(Duration.ofSeconds(10)).until(() -> difference(service.users(), before).get("nudge") == 0.0);
    sameInBothModes("the nudge", mode, delivered.get(0).body());
  }
  static String yoga(String type, String user, String session, String at) {
    return "{\"type\": \"" + type + "\", \"userId\": \"" + user + "\", \"deviceId\": \"d\", \"occurredAt\": "
        + "\"2026-01-01T" + at + "Z\", \"data\": {\"sessionId\": \"" + session + "\", \"style\": \"hatha\"}}";
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theDocsExampleRulesRunFromTheirConfigAloneWithTheirOwnEventTypes(Mode mode) throws Exception {
    Service service = service(mode);
    // Types no code knows, declared in the config: accepted in the improved format, the legacy one (under the
    // declared legacy spelling) and CloudEvents.
    assertThat(service.post(0, yoga("yoga_session_started", "yogi", "s1", "07:00:00")).status()).isEqualTo(202);
    assertThat(service.post(1, "{\"type\": \"yoga_session_ended\", \"user_id\": \"yogi\", \"device_id\": \"d\", "
        + "\"time_stamp\": \"2026-01-01 07:25:00\", \"yoga_session_id\": \"s1\"}").status()).isEqualTo(202);
    Response cloudEvent = service.http(2).post("/v1/event", "application/cloudevents+json", Buffer.buffer("""
        {"specversion": "1.0", "id": "yoga-ce-1", "source": "/apps/ios", "type": "yoga_session_started",
         "time": "2026-01-01T08:00:00Z", "subject": "yogi-ce", "deviceid": "d", "data": {"sessionId": "s2"}}"""));
    assertThat(cloudEvent.status()).as(cloudEvent.body()).isEqualTo(202);
    assertThat(service.post(0, yoga("yoga_session_ended", "yogi-ce", "s2", "08:21:00")).status()).isEqualTo(202);
    // Twenty minutes is not more than twenty: no notification.
    assertThat(service.post(1, yoga("yoga_session_started", "yogi-short", "s3", "09:00:00")).status()).isEqualTo(202);
    assertThat(service.post(2, yoga("yoga_session_ended", "yogi-short", "s3", "09:20:00")).status()).isEqualTo(202);
    // A missing session id is named, as each format spells it.
    Response missing = service.post(0, "{\"type\": \"yoga_session_started\", \"userId\": \"yogi\", \"deviceId\": "
        + "\"d\", \"occurredAt\": \"2026-01-01T10:00:00Z\", \"data\": {\"style\": \"hatha\"}}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("data.sessionId");
    Response missingLegacy = service.post(1, "{\"type\": \"yoga_session_ended\", \"user_id\": \"yogi\", "
        + "\"device_id\": \"d\", \"time_stamp\": \"2026-01-01 10:25:00\"}");
    assertThat(missingLegacy.status()).isEqualTo(400);
    assertThat(missingLegacy.json().getJsonArray("errors").getJsonObject(0).getString("field"))
        .isEqualTo("yoga_session_id");

    // Paused at 10:05 and left: nudged once the user's clock is past 10:20. Paused and resumed: not nudged.
    for (String user : List.of("pauser", "resumer")) {
      assertThat(service.post(0, training("training_program_started", user, user + "-1", "10:00:00")).status())
          .isEqualTo(202);
      assertThat(service.post(1, training("training_program_paused", user, user + "-2", "10:05:00")).status())
          .isEqualTo(202);
    }
    assertThat(service.post(2, training("training_program_resumed", "resumer", "resumer-3", "10:19:00")).status())
        .isEqualTo(202);
    for (String user : List.of("pauser", "resumer")) {
      // An event of another program moves the user's clock past the due time.
      assertThat(service.post(0, training("training_program_started", user, user + "-4", "10:21:00")
          .replace("\"p1\"", "\"p2\"")).status()).isEqualTo(202);
    }

    List<Received> delivered = service.deliveredExactly(Set.of("yogi", "yogi-ce", "yogi-short", "pauser", "resumer"), 3);
    assertThat(delivered).extracting(Received::userId, Received::kind, Received::message).containsExactlyInAnyOrder(
        tuple("yogi", "yoga_congratulation", "Namaste! 25 minutes of yoga today."),
        tuple("yogi-ce", "yoga_congratulation", "Namaste! 21 minutes of yoga today."),
        tuple("pauser", "training_paused_nudge", "Your training is paused: pick up where you left off!"));
    sameInBothModes("the example rules' notifications", mode, delivered.stream().map(Received::body)
        .sorted(Comparator.comparing(b -> b.getString("id"))).toList());
  }
}
