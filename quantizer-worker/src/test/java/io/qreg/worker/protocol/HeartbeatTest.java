package io.qreg.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.worker.json.Json;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeartbeatTest {

    @Test
    void theRequestSendsItsFourMembersInOrder() {
        Map<String, Object> json = new HeartbeatRequest("w1", 2, 0.25, "quantizing").toJson();
        assertThat(json.keySet()).containsExactly("workerId", "attempt", "progress", "message");
        assertThat(Json.parseObject(Json.write(json))).containsEntry("attempt", 2L).containsEntry("progress", 0.25);
    }

    @Test
    void theReplyReadsTheLeaseAndTheCancelRequestAndAnEmptyBodyAsNoCancel() {
        assertThat(HeartbeatReply.fromJson(Map.of("leaseExpiresAt", "2026-01-01T00:00:30Z", "cancelRequested", true)))
                .isEqualTo(new HeartbeatReply(Instant.parse("2026-01-01T00:00:30Z"), true));
        assertThat(HeartbeatReply.fromJson(Map.of())).isEqualTo(new HeartbeatReply(null, false));
    }

    @Test
    void aReplyMemberOfTheWrongTypeIsRefusedByName() {
        assertThatThrownBy(() -> HeartbeatReply.fromJson(Map.of("cancelRequested", "yes")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("\"cancelRequested\" should be a boolean");
        assertThatThrownBy(() -> HeartbeatReply.fromJson(Map.of("leaseExpiresAt", "soon")))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.field()).isEqualTo("leaseExpiresAt"));
    }
}
