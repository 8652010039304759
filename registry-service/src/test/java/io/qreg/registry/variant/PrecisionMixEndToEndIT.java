package io.qreg.registry.variant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * The precision mix end to end: the registry's in-process worker runs the real engine, and the variant it
 * produces carries the mix the engine read off the written model; a recipe that leaves every layer in float
 * fails its job for good with the engine's reason, and no variant is made.
 */
class PrecisionMixEndToEndIT {

    @TempDir
    Path dir;

    @Test
    void aRealJobsVariantCarriesTheMixAndANothingQuantizedJobFailsWithoutRetry() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start(dir.resolve("qreg-data"), "1g",
                Map.of("QREG_EMBEDDED_WORKER", "true"))) {
            HttpApi api = registry.api(IntegrationTest.ADMIN_TOKEN);
            assertThat(api.post("/api/v1/models", Map.of("name", "digits", "task", "classification")).status())
                    .isEqualTo(201);
            String checkpointId = api.upload("/api/v1/models/digits/checkpoints",
                    Map.of("version", "1.0.0", "license", "MIT"), Fixtures.bytes("digits_cnn.onnx"), "cnn.onnx")
                    .json().get("id").asString();
            assertThat(api.post("/api/v1/recipes", Map.of("name", "int8", "method", "int8-dynamic")).status())
                    .isEqualTo(201);
            assertThat(api.post("/api/v1/recipes", Map.of("name", "convs-only", "method", "int8-dynamic",
                    "excludeOpTypes", List.of("Gemm", "MatMul"))).status()).isEqualTo(201);

            JsonNode job = awaitFinished(api, api.post("/api/v1/jobs", Map.of("type", "QUANTIZE",
                    "checkpointId", checkpointId, "recipe", Map.of("name", "int8", "version", 1)))
                    .json().get("id").asString());
            assertThat(job.get("status").asString()).as(job.toString() + registry.tail()).isEqualTo("SUCCEEDED");
            JsonNode variant = api.get("/api/v1/variants/" + job.get("variantId").asString()).json();
            // digits_cnn: the two Gemms in int8, the two Convs left float32 by int8-dynamic.
            assertThat(variant.get("precisionLabel").asString())
                    .isEqualTo("int8-dynamic · 2 of 4 layers · 9.6 bits/weight");
            JsonNode mix = variant.get("precisionMix");
            assertThat(mix.get("layers").get("int8").asInt()).isEqualTo(2);
            assertThat(mix.get("layers").get("fp32").asInt()).isEqualTo(2);
            assertThat(mix.get("parameters").get("fp32").asLong()).isEqualTo(4_752);
            assertThat(variant.get("report").get("precisionMix")).isEqualTo(mix);

            // int8-dynamic handles no Conv, and the recipe excludes everything else.
            JsonNode refused = awaitFinished(api, api.post("/api/v1/jobs", Map.of("type", "QUANTIZE",
                    "checkpointId", checkpointId, "recipe", Map.of("name", "convs-only", "version", 1)))
                    .json().get("id").asString());
            assertThat(refused.get("status").asString()).as(refused.toString()).isEqualTo("FAILED");
            assertThat(refused.get("attempts").asInt()).as("a refusal is not retried").isEqualTo(1);
            assertThat(refused.get("error").asString()).contains("nothing was quantized: 0 of 4 layers",
                    "2 excluded by the options", "2 not handled by int8-dynamic (Conv)");
            assertThat(refused.hasNonNull("variantId")).as("no variant").isFalse();
        }
    }

    private static JsonNode awaitFinished(HttpApi api, String jobId) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            JsonNode job = api.get("/api/v1/jobs/" + jobId).json();
            String status = job.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + jobId + " did not finish within 4 minutes");
    }
}
