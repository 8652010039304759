package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.qreg.engine.quant.DivideModel;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.WorkingRegistry;
import io.qreg.registry.support.WorkingRegistryTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * The README's single run command does the whole loop: one QUANTIZE request with follow-ups, run
 * by the registry's own in-process worker over HTTP, yields a variant with lineage, an evaluation
 * against FP32 and a benchmark from that worker's hardware profile, and the precision mix the
 * engine read off the model it wrote. The registry is the shared {@link WorkingRegistry}: its own JVM with its
 * embedded worker, as that command starts it; what the tests create is named worker-*.
 */
public class EmbeddedWorkerIT extends WorkingRegistryTest {

    @TempDir
    static Path dir;

    @Test
    void oneQuantizeRequestWithFollowUpsYieldsAVariantWithEvidence() throws Exception {
        String checkpointId = modelWithCheckpoint("worker-digits", "classification", Fixtures.bytes("digits_mlp.onnx"));
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "worker-int8", "method", "int8-dynamic",
                "perChannel", true)).status()).isEqualTo(201);
        var eval = admin.upload("/api/v1/datasets", Map.of("name", "worker-digits-eval", "purpose", "evaluation"),
                Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"),
                        "labels.npy", Fixtures.bytes("digits_eval_y.npy"))), "digits-eval.zip");
        assertThat(eval.status()).as(eval.body()).isEqualTo(201);

        var submitted = admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId", checkpointId,
                "recipe", Map.of("name", "worker-int8", "version", 1), "hardwareTarget", "any",
                "followUps", List.of(Map.of("type", "EVALUATE",
                                "dataset", Map.of("name", "worker-digits-eval", "version", 1)),
                        Map.of("type", "BENCHMARK", "hardwareTarget", "any"))));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String jobId = submitted.json().get("id").asString();

        JsonNode job = awaitFinished(admin, jobId);
        assertThat(job.get("status").asString()).as(job.toString() + registry.tail()).isEqualTo("SUCCEEDED");
        String variantId = job.get("variantId").asString();
        assertThat(job.get("followUpJobIds")).hasSize(2);
        for (JsonNode followUp : job.get("followUpJobIds")) {
            JsonNode done = awaitFinished(admin, followUp.asString());
            assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        }

        JsonNode variant = admin.get("/api/v1/variants/" + variantId).json();
        assertThat(variant.get("method").asString()).isEqualTo("int8-dynamic");
        JsonNode lineage = variant.get("lineage");
        assertThat(lineage.get("checkpointSha256").asString())
                .isEqualTo(Fixtures.sha256(Fixtures.bytes("digits_mlp.onnx")));
        assertThat(lineage.get("recipe").get("name").asString()).isEqualTo("worker-int8");
        assertThat(lineage.get("recipe").get("hash").asString()).hasSize(64);
        assertThat(lineage.get("workerId").asString()).isNotBlank();
        assertThat(lineage.get("hardwareProfile").get("cores").asInt()).isPositive();
        assertThat(lineage.get("onnxRuntimeVersion").asString()).startsWith("1.23");

        JsonNode evaluation = variant.get("evaluations").get(0);
        assertThat(evaluation.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.97);
        assertThat(evaluation.get("deltas").get("accuracy").asDouble()).isBetween(-0.005, 0.005);
        JsonNode benchmark = variant.get("benchmarks").get(0);
        assertThat(benchmark.get("latencyP50Ms").asDouble()).isPositive();
        assertThat(benchmark.get("speedup").asDouble()).isPositive();
        // The real engine's 95 % bootstrap interval, stored from the worker's report for the gates to compare.
        JsonNode interval = benchmark.get("results").get("results").get(1).get("speedupInterval");
        assertThat(interval.get("resamples").asInt()).isEqualTo(2000);
        assertThat(benchmark.get("speedupLow").asDouble()).isPositive().isEqualTo(interval.get("low").asDouble())
                .isLessThanOrEqualTo(benchmark.get("speedupHigh").asDouble());
        assertThat(benchmark.get("speedupNoisy").asBoolean()).isEqualTo(interval.get("noisy").asBoolean());
        assertThat(benchmark.get("latencyP99HighMs").asDouble()).isPositive();
        assertThat(benchmark.get("hardwareProfile").get("cores").asInt()).isPositive();
        assertThat(benchmark.get("results").get("batched").get("results")).as("a larger batch").hasSize(2);
        assertThat(benchmark.get("results").get("concurrent").get("concurrency").asInt()).isPositive();

        JsonNode fleet = admin.get("/api/v1/workers").json();
        assertThat(fleet.toString()).contains("embedded-worker");

        // Reproducible: the same checkpoint, recipe version and calibration set give the same bytes.
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "worker-static", "method", "int8-static",
                "calibrationMethod", "entropy")).status()).isEqualTo(201);
        assertThat(admin.upload("/api/v1/datasets", Map.of("name", "worker-digits-calib", "purpose", "calibration"),
                Fixtures.bytes("digits_calib_x.npy"), "input.npy").status()).isEqualTo(201);
        Map<String, Object> staticJob = Map.of("type", "QUANTIZE", "checkpointId", checkpointId,
                "recipe", Map.of("name", "worker-static", "version", 1),
                "calibrationDataset", Map.of("name", "worker-digits-calib", "version", 1));
        String first = awaitFinished(admin, admin.post("/api/v1/jobs", staticJob).json().get("id").asString())
                .get("variantId").asString();
        // force: without it the second run would return the first variant (one artifact per identical run).
        Map<String, Object> forced = new java.util.HashMap<>(staticJob);
        forced.put("force", true);
        String second = awaitFinished(admin, admin.post("/api/v1/jobs", forced).json().get("id").asString())
                .get("variantId").asString();
        assertThat(first).isNotEqualTo(second);
        assertThat(admin.get("/api/v1/variants/" + second).json().get("sha256").asString())
                .isEqualTo(admin.get("/api/v1/variants/" + first).json().get("sha256").asString());
        String again = awaitFinished(admin, admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE",
                "checkpointId", checkpointId, "recipe", Map.of("name", "worker-int8", "version", 1), "force", true))
                .json().get("id").asString()).get("variantId").asString();
        assertThat(admin.get("/api/v1/variants/" + again).json().get("sha256").asString())
                .isEqualTo(variant.get("sha256").asString());

        // Bad input the registry cannot see: image-shaped calibration samples for the flat MLP.
        assertThat(admin.upload("/api/v1/datasets", Map.of("name", "worker-digits-calib-img", "purpose", "calibration"),
                Fixtures.bytes("digits_calib_x_img.npy"), "input.npy").status()).isEqualTo(201);
        JsonNode failed = awaitFinished(admin, admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE",
                "checkpointId", checkpointId, "recipe", Map.of("name", "worker-static", "version", 1),
                "calibrationDataset", Map.of("name", "worker-digits-calib-img", "version", 1)))
                .json().get("id").asString());
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("attempts").asInt()).as("bad input is not retried").isEqualTo(1);
        assertThat(failed.get("error").asString()).contains("input");
    }

    /**
     * The precision mix end to end: the variant a real job produces carries the mix the engine read off
     * the written model; a recipe that leaves every layer in float fails its job for good with the
     * engine's reason, and no variant is made.
     */
    @Test
    void aRealJobsVariantCarriesTheMixAndANothingQuantizedJobFailsWithoutRetry() throws Exception {
        String checkpointId = modelWithCheckpoint("worker-digits-cnn", "classification",
                Fixtures.bytes("digits_cnn.onnx"));
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "worker-cnn-int8", "method", "int8-dynamic")).status())
                .isEqualTo(201);
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "worker-convs-only", "method", "int4-weight",
                "excludeOpTypes", List.of("Gemm", "MatMul"))).status()).isEqualTo(201);

        JsonNode job = awaitFinished(admin, admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE",
                "checkpointId", checkpointId, "recipe", Map.of("name", "worker-cnn-int8", "version", 1)))
                .json().get("id").asString());
        assertThat(job.get("status").asString()).as(job.toString() + registry.tail()).isEqualTo("SUCCEEDED");
        JsonNode variant = admin.get("/api/v1/variants/" + job.get("variantId").asString()).json();
        // digits_cnn: the two Gemms (DynamicQuantizeMatMul) and the two Convs (ConvInteger) in int8.
        assertThat(variant.get("precisionLabel").asString())
                .isEqualTo("int8-dynamic · 4 of 4 layers · 8.0 bits/weight");
        JsonNode mix = variant.get("precisionMix");
        assertThat(mix.get("layers").get("int8").asInt()).isEqualTo(4);
        assertThat(mix.get("layers").get("fp32").asInt()).isEqualTo(0);
        assertThat(mix.get("parameters").get("fp32").asLong()).isEqualTo(0);
        assertThat(variant.get("report").get("floatParameterShare").asDouble()).isEqualTo(0.0);
        assertThat(variant.get("report").get("precisionMix")).isEqualTo(mix);

        // int4-weight has no Conv rewrite, and the recipe excludes everything else.
        JsonNode refused = awaitFinished(admin, admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE",
                "checkpointId", checkpointId, "recipe", Map.of("name", "worker-convs-only", "version", 1)))
                .json().get("id").asString());
        assertThat(refused.get("status").asString()).as(refused.toString()).isEqualTo("FAILED");
        assertThat(refused.get("attempts").asInt()).as("a refusal is not retried").isEqualTo(1);
        assertThat(refused.get("error").asString()).contains("nothing was quantized: 0 of 4 layers",
                "2 excluded by the options", "2 unsupported by int4-weight (Conv)");
        assertThat(refused.hasNonNull("variantId")).as("no variant").isFalse();
    }

    // The engine's run of the written model (report.verification) is kept on the variant and shown by the API; a
    // quantized model that breaks in ONNX Runtime and an accuracy budget that puts every layer back in float both
    // end FAILED with the engine's reason, without retry or variant. (Here, to share this registry process.)

    private void verificationFixtures() {
        if (admin.get("/api/v1/models/worker-verify-digits").status() == 200) {
            return;
        }
        assertThat(admin.post("/api/v1/models", Map.of("name", "worker-verify-digits", "task",
                "classification")).status())
                .isEqualTo(201);
        var calibration = admin.upload("/api/v1/datasets", Map.of("name", "worker-verify-calib", "purpose",
                "calibration"), Fixtures.bytes("digits_calib_x.npy"), "input.npy");
        assertThat(calibration.status()).as(calibration.body()).isEqualTo(201);
    }

    private String checkpoint(String model, String version, byte[] bytes) {
        var reply = admin.upload("/api/v1/models/" + model + "/checkpoints", Map.of("version", version,
                "license", "MIT"), bytes, "model.onnx");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json().get("id").asString();
    }

    private JsonNode quantize(String checkpointId, String recipe, boolean calibrated) throws InterruptedException {
        Map<String, Object> job = calibrated
                ? Map.of("type", "QUANTIZE", "checkpointId", checkpointId,
                        "recipe", Map.of("name", recipe, "version", 1),
                        "calibrationDataset", Map.of("name", "worker-verify-calib", "version", 1))
                : Map.of("type", "QUANTIZE", "checkpointId", checkpointId,
                        "recipe", Map.of("name", recipe, "version", 1));
        var submitted = admin.post("/api/v1/jobs", job);
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        return EmbeddedWorkerIT.awaitFinished(admin, submitted.json().get("id").asString());
    }

    private int variantsOf(JsonNode job) {
        return admin.get("/api/v1/jobs/" + job.get("id").asString()).json().hasNonNull("variantId") ? 1 : 0;
    }

    @Test
    void theVariantKeepsTheVerificationFiguresAndTheApiShowsThem() throws Exception {
        verificationFixtures();
        String checkpointId = checkpoint("worker-verify-digits", "1.0.0", Fixtures.bytes("digits_mlp.onnx"));
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "worker-verify-static", "method", "int8-static",
                "calibrationMethod", "minmax")).status()).isEqualTo(201);

        JsonNode job = quantize(checkpointId, "worker-verify-static", true);

        assertThat(job.get("status").asString()).as(job + registry.tail()).isEqualTo("SUCCEEDED");
        JsonNode check = admin.get("/api/v1/variants/" + job.get("variantId").asString()).json()
                .get("report").get("verification");
        assertThat(check.get("samples").asInt()).isEqualTo(16);
        assertThat(check.get("inputs").asString()).isEqualTo("calibration");
        assertThat(check.get("sqnrDb").asDouble()).isGreaterThan(20.0).isLessThan(200.0);
        assertThat(check.get("top1Agreement").asDouble()).isGreaterThan(0.95).isLessThanOrEqualTo(1.0);
    }

    @Test
    void aBudgetThatLeavesEveryLayerInFloatFailsTheJobWithoutAVariant() throws Exception {
        verificationFixtures();
        String checkpointId = checkpoint("worker-verify-digits", "2.0.0", Fixtures.bytes("digits_mlp.onnx"));
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "worker-impossible-budget", "method", "int8-static",
                "calibrationMethod", "minmax", "accuracyBudget", 1e-9)).status()).isEqualTo(201);

        JsonNode job = quantize(checkpointId, "worker-impossible-budget", true);

        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("FAILED");
        assertThat(job.get("attempts").asInt()).as("a refusal is not retried").isEqualTo(1);
        assertThat(job.get("error").asString())
                .isEqualTo("nothing was quantized: 0 of 3 layers: 3 kept in float by the accuracy budget");
        assertThat(variantsOf(job)).isZero();
    }

    @Test
    void aQuantizedModelThatGivesInfinityWhereTheOriginalIsFiniteFailsTheJob() throws Exception {
        assertThat(admin.post("/api/v1/models", Map.of("name", "worker-verify-divide", "task",
                "classification")).status())
                .isEqualTo(201);
        String checkpointId = checkpoint("worker-verify-divide", "1.0.0", divideModel());
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "worker-dynamic-per-tensor", "method", "int8-dynamic"))
                .status()).isEqualTo(201);

        JsonNode job = quantize(checkpointId, "worker-dynamic-per-tensor", false);

        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("FAILED");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("error").asString()).contains("failed its check in ONNX Runtime, so it was not kept",
                "NaN or infinite values in output 'y' where the original is finite");
        assertThat(variantsOf(job)).isZero();
    }

    /** y = 1 / (x · [1000, 0.001]): per-tensor int8 rounds 0.001 to 0, so the quantized model divides by zero. */
    private static byte[] divideModel() throws Exception {
        return Files.readAllBytes(DivideModel.write(dir.resolve("divide.onnx")));
    }

    public static JsonNode awaitFinished(HttpApi admin, String jobId) throws InterruptedException {
        // Generous: CI machines are shared, and a retried BENCHMARK job runs three measurements twice.
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            JsonNode job = admin.get("/api/v1/jobs/" + jobId).json();
            String status = job.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + jobId + " did not finish within 4 minutes");
    }
}
