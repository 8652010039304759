package io.qreg.worker.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordJsonTest {

    /** Public, as the protocol's records are: the accessors are read from another package. */
    public record Body(String name, Integer count, List<String> tags, long size) {
    }

    @Test
    void membersAreTheComponentsByNameInDeclarationOrderNullsIncluded() {
        Map<String, Object> json = RecordJson.members(new Body("a", null, List.of("x"), 7L));

        assertThat(json.keySet()).containsExactly("name", "count", "tags", "size");
        assertThat(json.values()).containsExactly("a", null, List.of("x"), 7L);
        assertThat(Json.write(json)).isEqualTo("{\"name\":\"a\",\"count\":null,\"tags\":[\"x\"],\"size\":7}");
    }

    @Test
    void setMembersLeaveOutTheNullComponents() {
        Map<String, Object> json = RecordJson.setMembers(new Body(null, 3, null, 0L));

        assertThat(json.keySet()).containsExactly("count", "size");
        assertThat(json.values()).containsExactly(3, 0L);
    }
}
