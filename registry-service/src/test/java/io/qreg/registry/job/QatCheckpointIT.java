package io.qreg.registry.job;

import static io.qreg.registry.job.EmbeddedWorkerIT.awaitFinished;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.QatOnnx;
import io.qreg.registry.support.WorkingRegistry;
import io.qreg.registry.support.WorkingRegistryTest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * A QAT checkpoint through the registry and its in-process worker: marked {@code quantized} at upload, taken by
 * a qat recipe into a variant whose lineage says qat, and refused up front to every other method (and qat to a
 * float checkpoint) with a problem naming {@code method}, with no job stored. The tests run on the shared
 * {@link WorkingRegistry}; what they create is named qat-*.
 */
class QatCheckpointIT extends WorkingRegistryTest {

    @TempDir
    static Path dir;

    private String qatCheckpoint;
    private String floatCheckpoint;

    @BeforeAll
    void aQatAndAFloatCheckpointAndTheirRecipes() throws Exception {
        assertThat(admin.post("/api/v1/models", Map.of("name", "qat-digits", "task", "classification")).status())
                .isEqualTo(201);
        HttpApi.Reply qat = admin.upload("/api/v1/models/qat-digits/checkpoints", Map.of("version", "2.0.0-qat",
                "license", "MIT"), QatOnnx.digitsMlp(dir), "digits_mlp_qat.onnx");
        assertThat(qat.status()).as(qat.body()).isEqualTo(201);
        qatCheckpoint = qat.json().get("id").asString();
        HttpApi.Reply fp32 = admin.upload("/api/v1/models/qat-digits/checkpoints", Map.of("version", "1.0.0",
                "license", "MIT"), Fixtures.bytes("digits_mlp.onnx"), "digits_mlp.onnx");
        assertThat(fp32.status()).as(fp32.body()).isEqualTo(201);
        floatCheckpoint = fp32.json().get("id").asString();
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "qat-import", "method", "qat")).status())
                .isEqualTo(201);
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "qat-dynamic", "method", "int8-dynamic")).status())
                .isEqualTo(201);
    }

    @Test
    void uploadMarksTheQatCheckpointQuantizedAndTheFloatOneNot() {
        assertThat(admin.get("/api/v1/checkpoints/" + qatCheckpoint).json().get("quantized").asBoolean()).isTrue();
        assertThat(admin.get("/api/v1/checkpoints/" + floatCheckpoint).json().get("quantized").asBoolean()).isFalse();
        assertThat(admin.get("/models/qat-digits").body()).contains("qreg-quantized");
    }

    @Test
    void aQatRecipeImportsTheCheckpointIntoAVariantWhoseLineageSaysQat() throws Exception {
        HttpApi.Reply submitted = admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId", qatCheckpoint,
                "recipe", Map.of("name", "qat-import", "version", 1)));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);

        JsonNode job = awaitFinished(admin, submitted.json().get("id").asString());
        assertThat(job.get("status").asString()).as(job.toString() + registry.tail()).isEqualTo("SUCCEEDED");
        JsonNode variant = admin.get("/api/v1/variants/" + job.get("variantId").asString()).json();
        assertThat(variant.get("method").asString()).isEqualTo("qat");
        assertThat(variant.get("lineage").get("recipe").get("method").asString()).isEqualTo("qat");
        assertThat(variant.get("precisionLabel").asString()).startsWith("qat · 3 of 3 layers");
        assertThat(variant.get("precisionMix").get("layers").get("int8").asInt()).isEqualTo(3);
        assertThat(variant.get("sizeBytes").asLong())
                .isLessThan(admin.get("/api/v1/checkpoints/" + qatCheckpoint).json().get("sizeBytes").asLong() * 2 / 5);
    }

    @Test
    void aPostTrainingRecipeOnTheQatCheckpointIsRefusedNamingMethodAndNoJobIsStored() {
        assertThat(refusedQuantize(qatCheckpoint, "qat-dynamic"))
                .contains("checkpoint qat-digits 2.0.0-qat is already quantized; use method qat");
    }

    @Test
    void aQatRecipeOnAFloatCheckpointIsRefusedNamingMethod() {
        assertThat(refusedQuantize(floatCheckpoint, "qat-import"))
                .contains("has no QuantizeLinear/DequantizeLinear to import; use a post-training method");
    }

    @Test
    void aQatRecipeWithAPostTrainingFieldIsRefusedNamingTheFieldAndNotStored() {
        for (Map.Entry<String, Object> field : List.<Map.Entry<String, Object>>of(Map.entry("perChannel", true),
                Map.entry("blockSize", 32), Map.entry("calibrationMethod", "minmax"),
                Map.entry("excludeOpTypes", List.of("Gemm")))) {
            HttpApi.Reply refused = admin.post("/api/v1/recipes", Map.of("name", "qat-with-options", "method", "qat",
                    field.getKey(), field.getValue()));
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.json().get("field").asString()).isEqualTo(field.getKey());
            assertThat(refused.json().get("detail").asString()).contains(field.getKey() + " does not apply to qat");
        }
        assertThat(admin.get("/api/v1/recipes/qat-with-options").status()).isEqualTo(404);
    }

    /**
     * Submits a QUANTIZE job of the checkpoint with the recipe (version 1) and asserts the refusal: a 400 problem
     * naming {@code method}, and no job stored. Returns the problem's detail.
     */
    private String refusedQuantize(String checkpoint, String recipe) {
        int jobsBefore = jobCount();
        HttpApi.Reply refused = admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId", checkpoint,
                "recipe", Map.of("name", recipe, "version", 1)));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.json().get("field").asString()).isEqualTo("method");
        assertThat(jobCount()).isEqualTo(jobsBefore);
        return refused.json().get("detail").asString();
    }

    private int jobCount() {
        return admin.get("/api/v1/jobs").json().get("totalItems").asInt();
    }
}
