package io.eventsprocessor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code -conf} may name: a readable file holding a JSON object, or a JSON object given inline. */
class ConfigFileTest {
  @TempDir Path dir;

  @Test
  void aFileHoldingAJsonObjectIsRead() throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), "{\"http\": {\"port\": 9090}}");
    assertThat(ConfigFile.read(file.toString())).isEqualTo(new JsonObject().put("http", new JsonObject().put("port", 9090)));
  }

  @Test
  void aJsonObjectGivenInlineIsRead() {
    assertThat(ConfigFile.read(" {\"state\": {\"dir\": \"x\"}}")).isEqualTo(
        new JsonObject().put("state", new JsonObject().put("dir", "x")));
  }

  @Test
  void aMistypedFileNameStopsTheStartNamingTheFile() {
    assertThatThrownBy(() -> ConfigFile.read("conf/prodution.json"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("-conf conf/prodution.json: no such file");
  }

  @Test
  void aFileOfInvalidJsonIsNamedWithWhereItBreaks() throws Exception {
    Path file = Files.writeString(dir.resolve("broken.json"), "{\n  \"http\": {\"port\": 9090,,}\n}");
    assertThatThrownBy(() -> ConfigFile.read(file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("-conf " + file + ": is not valid JSON")
        .hasMessageContaining("line 2");
  }

  @Test
  void aFileHoldingSomethingElseThanAnObjectIsRefused() throws Exception {
    Path array = Files.writeString(dir.resolve("array.json"), "[{\"http\": {}}]");
    assertThatThrownBy(() -> ConfigFile.read(array.toString()))
        .hasMessageContaining("-conf " + array + ": must hold a JSON object, not an array");
    Path empty = Files.writeString(dir.resolve("empty.json"), "  \n");
    assertThatThrownBy(() -> ConfigFile.read(empty.toString()))
        .hasMessageContaining("-conf " + empty + ": is empty");
  }

  @Test
  void aDirectoryOrAnUnreadableFileIsNamed() throws Exception {
    assertThatThrownBy(() -> ConfigFile.read(dir.toString()))
        .hasMessageContaining("-conf " + dir + ": is a directory, not a file");
    Path secret = Files.writeString(dir.resolve("secret.json"), "{}", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
    if (!Files.isReadable(secret)) { // root reads anything
      assertThatThrownBy(() -> ConfigFile.read(secret.toString()))
          .hasMessageContaining("-conf " + secret + ": cannot be read");
    }
  }

  @Test
  void anInlineObjectThatIsNotJsonSaysSo() {
    assertThatThrownBy(() -> ConfigFile.read("{\"http\": "))
        .hasMessageContaining("-conf (the JSON given inline): is not valid JSON");
  }
}
