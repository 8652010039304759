package io.qreg.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.worker.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobAssignmentTest {

    private static final ArtifactRef CHECKPOINT = ArtifactRef.checkpoint("c1", "ab".repeat(32), 340_691,
            "/api/v1/checkpoints/c1/content");
    private static final ArtifactRef VARIANT = new ArtifactRef("v1", "cd".repeat(32), 87_495L,
            "/api/v1/variants/v1/content", "int8-dynamic");
    private static final DatasetRef DATASET = new DatasetRef("digits-eval", 1, "ef".repeat(32), "zip",
            "/api/v1/datasets/digits-eval/versions/1/content", true, false);
    private static final RecipeOptions RECIPE = new RecipeOptions("int8", 1, "12".repeat(32), "int4-weight", false,
            true, 64, null, null, List.of("head"), List.of(), null, "gptq", 0.01, true, "auto", 4.5);

    private static JobAssignment quantize(DatasetRef calibration) {
        return new JobAssignment("j1", "QUANTIZE", 2, 30, Instant.parse("2026-01-01T00:00:30.123Z"), 10, CHECKPOINT,
                RECIPE, calibration, null, null, null, "any", null);
    }

    /** The body as it crosses the wire: written as JSON text and parsed back, as the worker receives it. */
    private static JobAssignment overTheWire(JobAssignment job) {
        return JobAssignment.fromJson(Json.parseObject(Json.write(job.toJson())));
    }

    @Test
    void aQuantizeAssignmentSurvivesTheRoundTripThroughJsonText() {
        JobAssignment job = quantize(DATASET);
        assertThat(overTheWire(job)).isEqualTo(job);
    }

    @Test
    void evaluateAndBenchmarkAssignmentsSurviveTheRoundTrip() {
        JobAssignment evaluate = new JobAssignment("j2", "EVALUATE", 1, 30, null, 10, CHECKPOINT, null, null, VARIANT,
                DATASET, "classification", "any", null);
        JobAssignment ofCheckpoint = new JobAssignment("j3", "EVALUATE", 1, 30, null, 10, CHECKPOINT, null, null,
                null, DATASET, "embedding", null, null);
        JobAssignment benchmark = new JobAssignment("j4", "BENCHMARK", 1, 30, null, 10, CHECKPOINT, null, null,
                VARIANT, null, null, "x86-avx2", null);
        assertThat(overTheWire(evaluate)).isEqualTo(evaluate);
        assertThat(overTheWire(ofCheckpoint)).isEqualTo(ofCheckpoint);
        assertThat(overTheWire(benchmark)).isEqualTo(benchmark);
    }

    @Test
    void eachTypeSendsItsOwnMembersWithTheNullsTheProtocolSends() {
        assertThat(quantize(null).toJson()).containsKeys("recipe", "calibrationDataset")
                .containsEntry("calibrationDataset", null).doesNotContainKeys("variant", "dataset", "task");
        assertThat(quantize(null).toJson().keySet()).containsExactly("id", "type", "attempt", "leaseSeconds",
                "leaseExpiresAt", "heartbeatSeconds", "checkpoint", "recipe", "calibrationDataset", "hardwareTarget");
        JobAssignment ofCheckpoint = new JobAssignment("j3", "EVALUATE", 1, 30, null, 10, CHECKPOINT, null, null,
                null, DATASET, "embedding", null, null);
        assertThat(ofCheckpoint.toJson().keySet()).containsExactly("id", "type", "attempt", "leaseSeconds",
                "leaseExpiresAt", "heartbeatSeconds", "checkpoint", "dataset", "task", "hardwareTarget");
        assertThat(CHECKPOINT.toJson()).doesNotContainKey("method");
        assertThat(RECIPE.toJson()).hasSize(17);
        assertThat(quantize(null).toJson()).containsEntry("leaseExpiresAt", "2026-01-01T00:00:30.123Z");
    }

    @Test
    void aClaimWithoutAReadableHeaderIsRefusedNamingTheMember() {
        assertThatThrownBy(() -> JobAssignment.fromJson(Map.of("type", "QUANTIZE")))
                .isInstanceOf(ProtocolException.class).hasMessage("claim: missing \"id\"");
        assertThatThrownBy(() -> JobAssignment.fromJson(Map.of("id", "j", "type", 3L)))
                .isInstanceOf(ProtocolException.class).hasMessage("claim: \"type\" should be a string, got a number");
    }

    @Test
    void aPartOfTheWrongTypeLeavesTheAssignmentUnreadableNamingPartAndMember() {
        JobAssignment job = JobAssignment.fromJson(Map.of("id", "j", "type", "QUANTIZE", "attempt", 3L,
                "recipe", Map.of("method", "int8-dynamic", "blockSize", "big")));
        assertThat(job.id()).isEqualTo("j");
        assertThat(job.attempt()).isEqualTo(3);
        assertThat(job.unreadable()).isEqualTo("recipe: \"blockSize\" should be a number, got a string");
        assertThat(JobAssignment.fromJson(Map.of("id", "j", "type", "BENCHMARK", "variant", List.of()))
                .unreadable()).isEqualTo("variant: \"variant\" should be an object, got an array");
        assertThat(JobAssignment.fromJson(Map.of("id", "j", "type", "BENCHMARK", "leaseExpiresAt", "soon"))
                .unreadable()).isEqualTo("claim: \"leaseExpiresAt\" should be an ISO-8601 instant, got \"soon\"");
    }

    @Test
    void aRecipeRefusesAMissingMethodAFractionalBlockSizeAndNonStringExclusions() {
        assertThatThrownBy(() -> RecipeOptions.fromJson(Map.of("perChannel", true)))
                .isInstanceOf(ProtocolException.class).hasMessage("recipe: missing \"method\"");
        assertThatThrownBy(() -> RecipeOptions.fromJson(Map.of("method", "int4-weight", "blockSize", 3.5)))
                .hasMessage("recipe: \"blockSize\" should be a whole number, got 3.5");
        assertThatThrownBy(() -> RecipeOptions.fromJson(Map.of("method", "int8-dynamic", "excludeNodes", List.of(1L))))
                .hasMessageStartingWith("recipe: \"excludeNodes\" should hold strings");
    }
}
