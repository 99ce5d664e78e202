package io.eventsprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar refuses to start on a config it cannot trust, with exit code 15 and a message naming the file, the key or
 * the environment variable: a mistake must not start the service on its defaults (no authentication, every
 * interface).
 */
class ConfigIT {
  @TempDir Path stateDir;
  JarNode node;

  @AfterEach
  void stop() throws InterruptedException {
    if (node != null) {
      node.destroy();
    }
  }

  JarNode start(Map<String, String> environment, String... args) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(Map.of("STATE_DIR", stateDir.toString(),
        "NOTIFY_SINK_ENABLED", "false"));
    env.putAll(environment);
    node = new JarNode("config", List.of(), env, args).start();
    return node;
  }

  void assertRefusedNaming(String message) throws Exception {
    assertThat(node.awaitExit(Duration.ofSeconds(30))).isEqualTo(15);
    await().atMost(Duration.ofSeconds(5)).until(() -> node.linesContaining(message) > 0);
    assertThat(node.output()).noneMatch(line -> line.contains("accepting events"));
  }

  @Test
  void aMistypedConfFileStopsTheStartNamingTheFile() throws Exception {
    start(Map.of(), "-conf", "conf/prodution.json");
    assertRefusedNaming("-conf conf/prodution.json: no such file");
    // The service's own error, as every start failure says it, and not Vert.x's warning before it.
    List<String> output = node.awaitOutputEnd();
    assertThat(output).noneMatch(line -> line.contains("does not point to an valid JSON file"));
    assertThat(output.get(0)).contains("ERROR").contains("cannot start: invalid configuration:");
  }

  @Test
  void aConfFileOfInvalidJsonStopsTheStartSayingWhere() throws Exception {
    // A comma forgotten at the end of the first line.
    Path config = Files.writeString(stateDir.resolve("config.json"), "{\"http\": {\"port\": 8080}\n\"auth\": {}}");
    start(Map.of(), "-conf", config.toString());
    assertRefusedNaming("-conf " + config + ": is not valid JSON at line 2, column 1");
  }

  @Test
  void aConfDirectoryOrAJsonArrayIsRefusedToo() throws Exception {
    start(Map.of(), "-conf", stateDir.toString());
    assertRefusedNaming("-conf " + stateDir + ": is a directory, not a file");
    Path array = Files.writeString(stateDir.resolve("array.json"), "[]");
    start(Map.of(), "--conf=" + array);
    assertRefusedNaming("-conf " + array + ": must hold a JSON object, not an array");
  }

  @Test
  void aWrongEnvironmentValueIsNamedByItsVariable() throws Exception {
    start(Map.of("NOTIFY_SINK_PORT", "eighty"), "-conf", "conf/config.json");
    assertRefusedNaming("NOTIFY_SINK_PORT: must be a whole number from 0 to 65535, got \"eighty\"");
  }

  @Test
  void anAdminApiOnEveryInterfaceWithoutATokenIsRefused() throws Exception {
    start(Map.of("ADMIN_HOST", "0.0.0.0"), "-conf", "conf/config.json");
    assertRefusedNaming("ADMIN_HOST: is not a loopback address, so admin.token must be set");
  }
}
