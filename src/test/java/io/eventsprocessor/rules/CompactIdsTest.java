package io.eventsprocessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CompactIdsTest {

  @ParameterizedTest
  @ValueSource(strings = {"3f2b6c1e-9a4d-4b7e-8c21-5d0f6a7b8c9d", "3F2B6C1E-9A4D-4B7E-8C21-5D0F6A7B8C9D",
      "3f2b6c1e-9a4d-4b7e-8c21-5d0f6a7b8c9", "00000000-0000-0000-0000-000000000000", "bar1", "", "café", "設備-1",
      "1-1-1-1-1", "3f2b6c1e+9a4d-4b7e-8c21-5d0f6a7b8c9d"})
  void theTextComesBackExactlyWhateverItsForm(String id) {
    assertThat(CompactIds.text(CompactIds.compact(id))).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"3f2b6c1e-9a4d-4b7e-8c21-5d0f6a7b8c9d"})
  void aCanonicalUuidIsKeptAsItsSixteenBytes(String id) {
    assertThat(CompactIds.compact(id)).isEqualTo(UUID.fromString(id));
  }

  @ParameterizedTest
  @ValueSource(strings = {"3F2B6C1E-9A4D-4B7E-8C21-5D0F6A7B8C9D", "device-42"})
  void otherOneByteTextIsKeptAsItsBytes(String id) {
    assertThat(CompactIds.compact(id)).isInstanceOf(byte[].class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"設備-1"})
  void wideTextStaysAString(String id) {
    assertThat(CompactIds.compact(id)).isSameAs(id);
  }
}
