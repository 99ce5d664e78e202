package io.eventsprocessor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class CloudEventsHttpTest {

  @Test
  void headersBecomeAttributesAndTheBodyData() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("CE-SpecVersion", "1.0").add("ce-id", "x").add("ce-subject", "J%C3%BCrgen%20M").add("Accept", "*/*");
    JsonObject event = CloudEventsHttp.structured(headers, "application/json", new JsonObject().put("a", 1));
    assertThat(event).isEqualTo(new JsonObject().put("specversion", "1.0").put("id", "x").put("subject", "Jürgen M")
        .put("datacontenttype", "application/json").put("data", new JsonObject().put("a", 1)));
  }

  @Test
  void percentDecodingLeavesAnythingElseAsItIs() {
    assertThat(CloudEventsHttp.percentDecode("a+b%2")).isEqualTo("a+b%2");
    assertThat(CloudEventsHttp.percentDecode("%zz%41")).isEqualTo("%zzA");
    assertThat(CloudEventsHttp.percentDecode("100%")).isEqualTo("100%");
  }
}
