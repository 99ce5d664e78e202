package io.eventsprocessor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's {@code -conf} is checked before Vert.x starts: a file that cannot be used is named, not ignored. */
class ConfArgumentTest {
  @TempDir Path dir;

  @Test
  void aReadableJsonObjectFileOrAJsonObjectStringIsFine() throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), "{\"http\": {\"port\": 8080}}");
    assertThat(ConfigLoader.confProblem(List.of("-conf", file.toString()))).isNull();
    assertThat(ConfigLoader.confProblem(List.of("-cluster", "--conf=" + file))).isNull();
    assertThat(ConfigLoader.confProblem(List.of("-conf", "{\"state\": {\"snapshotInterval\": \"PT1H\"}}"))).isNull();
    assertThat(ConfigLoader.confProblem(List.of("-instances", "2"))).isNull();
  }

  @Test
  void aFileThatDoesNotExistIsNamed() {
    String missing = dir.resolve("conf/confg.json").toString();
    assertThat(ConfigLoader.confProblem(List.of("-conf", missing)))
        .isEqualTo("the config file " + missing + " (-conf) does not exist");
    assertThat(ConfigLoader.confProblem(List.of("-CONF", missing))).contains(missing).contains("does not exist");
  }

  @Test
  void aDirectoryIsNamed() {
    assertThat(ConfigLoader.confProblem(List.of("-conf", dir.toString())))
        .isEqualTo("the config file " + dir + " (-conf) is a directory");
  }

  @Test
  void aFileThatIsNotAJsonObjectIsNamedWithWhatIsWrong() throws Exception {
    Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
    assertThat(ConfigLoader.confProblem(List.of("-conf", array.toString())))
        .isEqualTo("the config file " + array + " (-conf) is not a JSON object");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"http\": {\"port\": 8080}");
    assertThat(ConfigLoader.confProblem(List.of("-conf", broken.toString())))
        .startsWith("the config file " + broken + " (-conf) is not valid JSON: ");
    Path empty = Files.writeString(dir.resolve("empty.json"), "");
    assertThat(ConfigLoader.confProblem(List.of("-conf", empty.toString())))
        .startsWith("the config file " + empty + " (-conf) is not valid JSON");
  }

  @Test
  void aJsonStringThatDoesNotParseIsReportedAsSuch() {
    assertThat(ConfigLoader.confProblem(List.of("-conf", "{\"http\": ")))
        .startsWith("the -conf value is neither a file nor a JSON object: ");
  }
}
