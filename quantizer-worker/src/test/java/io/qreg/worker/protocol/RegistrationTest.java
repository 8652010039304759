package io.qreg.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrationTest {

    @Test
    void theRequestSendsNameLabelsConcurrencyAndProfileInOrder() {
        assertThat(new RegistrationRequest("w", Map.of("pool", "a"), 2, Map.of("cores", 4)).toJson().keySet())
                .containsExactly("name", "labels", "concurrency", "hardwareProfile");
    }

    @Test
    void theReplyReadsTheIdAndTheLeaseTimingWhichMayBeAbsentOrFractional() {
        assertThat(RegistrationReply.fromJson(Map.of("id", "w1", "leaseSeconds", 30L, "heartbeatSeconds", 0.5)))
                .isEqualTo(new RegistrationReply("w1", 30L, new BigDecimal("0.5")));
        assertThat(RegistrationReply.fromJson(Map.of("id", "w1"))).isEqualTo(new RegistrationReply("w1", null, null));
    }

    @Test
    void aReplyWithoutAnIdOrWithATimingOfTheWrongTypeIsRefusedByName() {
        assertThatThrownBy(() -> RegistrationReply.fromJson(Map.of("leaseSeconds", 30L)))
                .isInstanceOf(ProtocolException.class).hasMessage("registration: missing \"id\"");
        assertThatThrownBy(() -> RegistrationReply.fromJson(Map.of("id", "w", "leaseSeconds", "30")))
                .hasMessage("registration: \"leaseSeconds\" should be a number, got a string");
    }
}
