package io.qreg.registry.job;

import static io.qreg.registry.job.EmbeddedWorkerIT.awaitFinished;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.QatOnnx;
import io.qreg.registry.support.RegistryProcess;
import io.qreg.registry.support.WorkingRegistry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * A QAT checkpoint through the registry and its in-process worker: marked {@code quantized} at upload, taken by
 * a qat recipe into a variant whose lineage says qat, and refused up front to every other method (and qat to a
 * float checkpoint) with a problem naming {@code method}, with no job stored. The tests run on the shared
 * {@link WorkingRegistry}; what they create is named qat-*.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(WorkingRegistry.class)
class QatCheckpointIT {

    @TempDir
    static Path dir;

    private RegistryProcess registry;
    private HttpApi api;
    private String qatCheckpoint;
    private String floatCheckpoint;

    @BeforeAll
    void connectAndUpload(RegistryProcess workingRegistry) throws Exception {
        registry = workingRegistry;
        api = registry.api(IntegrationTest.ADMIN_TOKEN);
        assertThat(api.post("/api/v1/models", Map.of("name", "qat-digits", "task", "classification")).status())
                .isEqualTo(201);
        HttpApi.Reply qat = api.upload("/api/v1/models/qat-digits/checkpoints", Map.of("version", "2.0.0-qat",
                "license", "MIT"), QatOnnx.digitsMlp(dir), "digits_mlp_qat.onnx");
        assertThat(qat.status()).as(qat.body()).isEqualTo(201);
        qatCheckpoint = qat.json().get("id").asString();
        HttpApi.Reply fp32 = api.upload("/api/v1/models/qat-digits/checkpoints", Map.of("version", "1.0.0",
                "license", "MIT"), Fixtures.bytes("digits_mlp.onnx"), "digits_mlp.onnx");
        assertThat(fp32.status()).as(fp32.body()).isEqualTo(201);
        floatCheckpoint = fp32.json().get("id").asString();
        assertThat(api.post("/api/v1/recipes", Map.of("name", "qat-import", "method", "qat")).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/recipes", Map.of("name", "qat-dynamic", "method", "int8-dynamic")).status())
                .isEqualTo(201);
    }

    @Test
    void uploadMarksTheQatCheckpointQuantizedAndTheFloatOneNot() {
        assertThat(api.get("/api/v1/checkpoints/" + qatCheckpoint).json().get("quantized").asBoolean()).isTrue();
        assertThat(api.get("/api/v1/checkpoints/" + floatCheckpoint).json().get("quantized").asBoolean()).isFalse();
        assertThat(api.get("/models/qat-digits").body()).contains("qreg-quantized");
    }

    @Test
    void aQatRecipeImportsTheCheckpointIntoAVariantWhoseLineageSaysQat() throws Exception {
        HttpApi.Reply submitted = api.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId", qatCheckpoint,
                "recipe", Map.of("name", "qat-import", "version", 1)));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);

        JsonNode job = awaitFinished(api, submitted.json().get("id").asString());
        assertThat(job.get("status").asString()).as(job.toString() + registry.tail()).isEqualTo("SUCCEEDED");
        JsonNode variant = api.get("/api/v1/variants/" + job.get("variantId").asString()).json();
        assertThat(variant.get("method").asString()).isEqualTo("qat");
        assertThat(variant.get("lineage").get("recipe").get("method").asString()).isEqualTo("qat");
        assertThat(variant.get("precisionLabel").asString()).startsWith("qat · 3 of 3 layers");
        assertThat(variant.get("precisionMix").get("layers").get("int8").asInt()).isEqualTo(3);
        assertThat(variant.get("sizeBytes").asLong())
                .isLessThan(api.get("/api/v1/checkpoints/" + qatCheckpoint).json().get("sizeBytes").asLong() * 2 / 5);
    }

    @Test
    void aPostTrainingRecipeOnTheQatCheckpointIsRefusedNamingMethodAndNoJobIsStored() {
        int jobsBefore = jobCount();
        HttpApi.Reply refused = api.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId", qatCheckpoint,
                "recipe", Map.of("name", "qat-dynamic", "version", 1)));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.json().get("field").asString()).isEqualTo("method");
        assertThat(refused.json().get("detail").asString())
                .contains("checkpoint qat-digits 2.0.0-qat is already quantized; use method qat");
        assertThat(jobCount()).isEqualTo(jobsBefore);
    }

    @Test
    void aQatRecipeOnAFloatCheckpointIsRefusedNamingMethod() {
        int jobsBefore = jobCount();
        HttpApi.Reply refused = api.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId", floatCheckpoint,
                "recipe", Map.of("name", "qat-import", "version", 1)));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("field").asString()).isEqualTo("method");
        assertThat(refused.json().get("detail").asString())
                .contains("has no QuantizeLinear/DequantizeLinear to import; use a post-training method");
        assertThat(jobCount()).isEqualTo(jobsBefore);
    }

    @Test
    void aQatRecipeWithAPostTrainingFieldIsRefusedNamingTheFieldAndNotStored() {
        for (Map.Entry<String, Object> field : List.<Map.Entry<String, Object>>of(Map.entry("perChannel", true),
                Map.entry("blockSize", 32), Map.entry("calibrationMethod", "minmax"),
                Map.entry("excludeOpTypes", List.of("Gemm")))) {
            HttpApi.Reply refused = api.post("/api/v1/recipes", Map.of("name", "qat-with-options", "method", "qat",
                    field.getKey(), field.getValue()));
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.json().get("field").asString()).isEqualTo(field.getKey());
            assertThat(refused.json().get("detail").asString()).contains(field.getKey() + " does not apply to qat");
        }
        assertThat(api.get("/api/v1/recipes/qat-with-options").status()).isEqualTo(404);
    }

    private int jobCount() {
        return api.get("/api/v1/jobs").json().get("totalItems").asInt();
    }
}
