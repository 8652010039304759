package io.qreg.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.worker.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttemptResultTest {

    @Test
    void aSucceededResultSurvivesTheRoundTripWithItsProductAfterTheHeader() {
        JobProduct product = JobProduct.quantized(Map.of("layers", java.util.List.of()), "0.1.0", "1.23.2",
                "ab".repeat(32), 87_495L);
        AttemptResult result = new AttemptResult("w1", 2, ResultStatus.SUCCEEDED, null, false, product);
        assertThat(result.toJson().keySet()).containsExactly("workerId", "attempt", "status", "error", "retryable",
                "report", "engineVersion", "onnxRuntimeVersion", "sha256", "sizeBytes");
        assertThat(AttemptResult.fromJson(Json.parseObject(Json.write(result.toJson())))).isEqualTo(result);
    }

    @Test
    void aFailedResultCarriesItsErrorAndRetryableAndAnAbsentRetryableIsFalse() {
        AttemptResult failed = AttemptResult.fromJson(Map.of("workerId", "w", "attempt", 1L, "status", "FAILED",
                "error", "boom", "retryable", true));
        assertThat(failed.status()).isEqualTo(ResultStatus.FAILED);
        assertThat(failed.error()).isEqualTo("boom");
        assertThat(failed.retryable()).isTrue();
        assertThat(failed.product()).isEqualTo(JobProduct.NONE);
        assertThat(AttemptResult.fromJson(Map.of("workerId", "w", "attempt", 1L, "status", "CANCELLED"))
                .retryable()).isFalse();
    }

    @Test
    void eachRefusalNamesTheMember() {
        assertThatThrownBy(() -> AttemptResult.fromJson(Map.of("attempt", 1L, "status", "FAILED")))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.field()).isEqualTo("workerId"))
                .hasMessage("workerId is required: the id the registration returned");
        assertThatThrownBy(() -> AttemptResult.fromJson(Map.of("workerId", "w", "attempt", "1", "status", "FAILED")))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.field()).isEqualTo("attempt"));
        assertThatThrownBy(() -> AttemptResult.fromJson(Map.of("workerId", "w", "attempt", 1L, "status", "DONE")))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.field()).isEqualTo("status"))
                .hasMessage("status must be one of [SUCCEEDED, FAILED, CANCELLED], got 'DONE'");
        assertThatThrownBy(() -> AttemptResult.fromJson(Map.of("workerId", "w", "attempt", 1L, "status", "FAILED",
                "retryable", "yes")))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.field()).isEqualTo("retryable"))
                .hasMessage("\"retryable\" should be a boolean, got a string");
    }
}
