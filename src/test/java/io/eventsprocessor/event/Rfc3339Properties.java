package io.eventsprocessor.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The fast reader of timestamps answers exactly as the general parser does, or leaves the text to it. */
class Rfc3339Properties {

  /** Timestamps of the common shape, some out of range, with random characters swapped in. */
  @Provide
  Arbitrary<String> timestamps() {
    Arbitrary<String> shaped = Arbitraries.strings().withChars("0123456789").ofLength(14).flatMap(d ->
        Arbitraries.of("Z", "+02:00", "-05:30", "+18:00", "-17:59", "+00:60", "z", "", "+0200")
            .flatMap(zone -> Arbitraries.of("", ".5", ".123", ".123456789", ".1234567891", ".", ",5")
                .map(fraction -> d.substring(0, 4) + "-" + d.substring(4, 6) + "-" + d.substring(6, 8) + "T"
                    + d.substring(8, 10) + ":" + d.substring(10, 12) + ":" + d.substring(12, 14) + fraction + zone)));
    Arbitrary<String> valid = Arbitraries.longs().between(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
        Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()).map(s -> Instant.ofEpochSecond(s).toString());
    return Arbitraries.oneOf(shaped, valid, shaped.flatMap(s -> Arbitraries.integers().between(0, s.length() - 1)
        .flatMap(at -> Arbitraries.chars().map(c -> s.substring(0, at) + c + s.substring(at + 1)))));
  }

  @Property(tries = 5_000)
  void givesWhatTheGeneralParserGives(@ForAll("timestamps") String text) {
    Instant fast = Rfc3339.parse(text);
    if (fast != null) {
      assertThat(fast).isEqualTo(Instant.from(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text)));
    }
  }

  @Example
  void readsTheCommonShapesItself() {
    assertThat(Rfc3339.parse("2021-02-28T16:22:52Z")).isEqualTo(Instant.parse("2021-02-28T16:22:52Z"));
    assertThat(Rfc3339.parse("2021-02-28T16:22:52.25+01:00")).isEqualTo(Instant.parse("2021-02-28T15:22:52.25Z"));
    assertThat(Rfc3339.parse("2024-02-29T00:00:00-00:30")).isEqualTo(Instant.parse("2024-02-29T00:30:00Z"));
  }

  @Example
  void leavesAnythingElseToTheGeneralParser() {
    assertThat(Rfc3339.parse("2021-02-30T16:22:52Z")).isNull();
    assertThat(Rfc3339.parse("2021-02-28 16:22:52Z")).isNull();
    assertThat(Rfc3339.parse("2021-02-28T16:22:52")).isNull();
  }
}
