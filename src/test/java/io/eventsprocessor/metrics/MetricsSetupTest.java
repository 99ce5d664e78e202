package io.eventsprocessor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class MetricsSetupTest {

  @Test
  void aMethodAClientMadeUpDoesNotMakeMetersOfItsOwn() {
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry();
    for (String method : new String[] {"AAAA", "AAAB", "BREW", "POST", "GET"}) {
      Counter.builder("vertx.http.server.requests").tag("method", method).register(registry).increment();
    }
    assertThat(registry.find("vertx.http.server.requests").counters())
        .extracting(counter -> counter.getId().getTag("method"))
        .containsExactlyInAnyOrder("OTHER", "POST", "GET");
    assertThat(registry.get("vertx.http.server.requests").tag("method", "OTHER").counter().count()).isEqualTo(3);
  }
}
