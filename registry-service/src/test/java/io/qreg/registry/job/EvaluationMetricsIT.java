package io.qreg.registry.job;

import static io.qreg.registry.job.EmbeddedWorkerIT.awaitFinished;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import io.qreg.registry.support.EmbeddingFixture;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.WorkingRegistry;
import io.qreg.registry.support.WorkingRegistryTest;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The evaluation metrics that compare a variant with its checkpoint (flip rate and calibration of a classifier,
 * KL divergence of a language model, cosine and neighbours of an embedding model), measured by the registry's
 * own worker on real jobs, stored with the evaluation, and judged by the policy thresholds maxFlipRate and
 * maxMeanKld. The tests run on the shared {@link WorkingRegistry}; what they create is named metrics-*.
 */
class EvaluationMetricsIT extends WorkingRegistryTest {

    private void dataset(String name, String purpose, Map<String, byte[]> arrays) {
        ok(admin.upload("/api/v1/datasets", Map.of("name", name, "purpose", purpose), Fixtures.zip(arrays),
                name + ".zip"), 201);
    }

    /** Runs a QUANTIZE job with an EVALUATE follow-up to the end; returns the variant's id. */
    private String quantizeAndEvaluate(Map<String, Object> quantize, String evaluationDataset) throws Exception {
        Map<String, Object> request = new HashMap<>(quantize);
        request.put("type", "QUANTIZE");
        request.put("followUps", List.of(Map.of("type", "EVALUATE", "dataset", Map.of("name", evaluationDataset,
                "version", 1))));
        JsonNode job = awaitFinished(admin, ok(admin.post("/api/v1/jobs", request), 202).json().get("id").asString());
        assertThat(job.get("status").asString()).as(job + registry.tail()).isEqualTo("SUCCEEDED");
        JsonNode evaluate = awaitFinished(admin, job.get("followUpJobIds").get(0).asString());
        assertThat(evaluate.get("status").asString()).as(evaluate + registry.tail()).isEqualTo("SUCCEEDED");
        return job.get("variantId").asString();
    }

    /** The labels with item 0's relevant item set to item 0 itself. */
    private static byte[] withFirstLabelZero(byte[] labels) throws IOException {
        long[] values = NpyArray.read(new ByteArrayInputStream(labels)).toLongArray();
        values[0] = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, NpyArray.ofLongs(values, values.length));
        return out.toByteArray();
    }

    /** The flat [N, 64] digits as the CNN's [N, 1, 8, 8] images. */
    private static byte[] imageShaped(byte[] flat) throws IOException {
        NpyArray digits = NpyArray.read(new ByteArrayInputStream(flat));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, NpyArray.ofFloats(digits.toFloatArray(), digits.samples(), 1, 8, 8));
        return out.toByteArray();
    }

    private Map<String, JsonNode> checksAfterPolicy(String model, String variantId, Map<String, Object> policy) {
        ok(admin.put("/api/v1/models/" + model + "/policy", policy), 200);
        Map<String, JsonNode> checks = new HashMap<>();
        for (JsonNode c : ok(admin.get("/api/v1/variants/" + variantId + "/verdict"), 200).json().get("checks")) {
            checks.put(c.get("name").asString(), c);
        }
        return checks;
    }

    @Test
    void maxFlipRateJudgesAClassifiersMeasuredFlipRateAndMaxMeanKldDoesNotApplyToIt() throws Exception {
        String checkpointId = modelWithCheckpoint("metrics-digits-cnn", "classification",
                Fixtures.bytes("digits_cnn.onnx"));
        // Entropy calibration clips the activations' tails: 4 of the 500 digits flip both as ONNX Runtime serves
        // the model on an AVX2 CPU without VNNI and with its Q/DQ computed as written (graph optimizations off).
        // Min/max flips 0 to 2 depending on the CPU's int8 kernels, too few for a flip rate this test can halve.
        ok(admin.post("/api/v1/recipes", Map.of("name", "metrics-cnn-static", "method", "int8-static",
                "calibrationMethod", "entropy")), 201);
        dataset("metrics-cnn-calib", "calibration", Map.of("input.npy", Fixtures.bytes("digits_calib_x_img.npy")));
        dataset("metrics-cnn-eval", "evaluation", Map.of("input.npy", imageShaped(Fixtures.bytes("digits_eval_x.npy")),
                "labels.npy", Fixtures.bytes("digits_eval_y.npy")));
        String variantId = quantizeAndEvaluate(Map.of("checkpointId", checkpointId,
                "recipe", Map.of("name", "metrics-cnn-static", "version", 1),
                "calibrationDataset", Map.of("name", "metrics-cnn-calib", "version", 1)), "metrics-cnn-eval");

        JsonNode evaluation = admin.get("/api/v1/variants/" + variantId).json().get("evaluations").get(0);
        JsonNode metrics = evaluation.get("metrics");
        double flipRate = metrics.get("flipRate").asDouble();
        // Static int8 changes the predicted digit of a few of the 500 samples, never most of them.
        assertThat(flipRate).isPositive().isLessThan(0.05)
                .isCloseTo(1 - metrics.get("top1Agreement").asDouble(), within(1e-12));
        assertThat(metrics.get("expectedCalibrationError").asDouble()).isBetween(0.0, 0.2);
        assertThat(evaluation.get("referenceMetrics").has("expectedCalibrationError")).isTrue();
        assertThat(evaluation.get("deltas").has("expectedCalibrationError")).isTrue();
        JsonNode byClass = evaluation.get("flipRateByClass");
        assertThat(byClass.size()).as("the ten digits").isEqualTo(10);
        long samples = 0;
        long flips = 0;
        for (JsonNode c : byClass) {
            samples += c.get("samples").asLong();
            flips += c.get("flips").asLong();
        }
        assertThat(samples).isEqualTo(500);
        assertThat(flips).isPositive().isEqualTo(Math.round(flipRate * 500));

        Map<String, JsonNode> atTheMeasuredRate = checksAfterPolicy("metrics-digits-cnn", variantId,
                Map.of("maxFlipRate", flipRate, "maxMeanKld", 0.01));
        assertThat(atTheMeasuredRate.get("maxFlipRate").get("passed").asBoolean()).isTrue();
        assertThat(atTheMeasuredRate.get("maxFlipRate").get("actual").asDouble()).isEqualTo(flipRate);
        assertThat(atTheMeasuredRate.get("maxMeanKld").get("passed").asBoolean()).isTrue();
        assertThat(atTheMeasuredRate.get("maxMeanKld").get("detail").asString()).startsWith("not applicable");

        JsonNode tighter = checksAfterPolicy("metrics-digits-cnn", variantId, Map.of("maxFlipRate", flipRate / 2))
                .get("maxFlipRate");
        assertThat(tighter.get("passed").asBoolean()).isFalse();
        assertThat(tighter.get("detail").asString()).contains("flip rate against the checkpoint", "metrics-cnn-eval@1");
    }

    @Test
    void maxMeanKldJudgesALanguageModelsMeasuredKlDivergenceAndFailsWithoutEvidence() throws Exception {
        String checkpointId = modelWithCheckpoint("metrics-bytelm", "language-model",
                Fixtures.bytes("bytelm_small.onnx"));
        ok(admin.post("/api/v1/recipes", Map.of("name", "metrics-lm-int8", "method", "int8-dynamic")), 201);
        dataset("metrics-bytelm-eval", "evaluation", Map.of(
                "input_ids.npy", Fixtures.bytes("bytelm_small_eval_ids.npy"),
                "labels.npy", Fixtures.bytes("bytelm_small_eval_labels.npy")));
        JsonNode quantized = awaitFinished(admin, ok(admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE",
                "checkpointId", checkpointId, "recipe", Map.of("name", "metrics-lm-int8", "version", 1))), 202)
                .json().get("id").asString());
        String variantId = quantized.get("variantId").asString();

        JsonNode unmeasured = checksAfterPolicy("metrics-bytelm", variantId, Map.of("maxMeanKld", 1.0))
                .get("maxMeanKld");
        assertThat(unmeasured.get("passed").asBoolean()).as("no evidence fails").isFalse();
        assertThat(unmeasured.get("detail").asString()).isEqualTo("no evaluation yet");

        JsonNode evaluated = awaitFinished(admin, ok(admin.post("/api/v1/jobs", Map.of("type", "EVALUATE",
                "variantId", variantId, "dataset", Map.of("name", "metrics-bytelm-eval", "version", 1))), 202)
                .json().get("id").asString());
        assertThat(evaluated.get("status").asString()).as(evaluated + registry.tail()).isEqualTo("SUCCEEDED");
        JsonNode metrics = admin.get("/api/v1/variants/" + variantId).json().get("evaluations").get(0).get("metrics");
        double meanKld = metrics.get("meanKld").asDouble();
        assertThat(meanKld).isPositive().isLessThan(0.1);
        assertThat(metrics.get("kld99").asDouble()).isGreaterThan(meanKld);
        assertThat(metrics.get("kld999").asDouble()).isGreaterThanOrEqualTo(metrics.get("kld99").asDouble());
        assertThat(metrics.get("rmsDeltaP").asDouble()).isPositive().isLessThan(0.5);
        assertThat(metrics.get("sameTopToken").asDouble()).isBetween(0.9, 1.0);

        Map<String, JsonNode> atTheMeasuredKld = checksAfterPolicy("metrics-bytelm", variantId,
                Map.of("maxMeanKld", meanKld, "maxFlipRate", 0.0));
        assertThat(atTheMeasuredKld.get("maxMeanKld").get("passed").asBoolean()).isTrue();
        assertThat(atTheMeasuredKld.get("maxMeanKld").get("actual").asDouble()).isEqualTo(meanKld);
        assertThat(atTheMeasuredKld.get("maxFlipRate").get("detail").asString()).startsWith("not applicable");
        JsonNode tighter = checksAfterPolicy("metrics-bytelm", variantId, Map.of("maxMeanKld", meanKld / 2))
                .get("maxMeanKld");
        assertThat(tighter.get("passed").asBoolean()).isFalse();
        assertThat(tighter.get("detail").asString()).contains("mean KL divergence", "metrics-bytelm-eval@1");
    }

    @Test
    void badMaxMeanKldOrMaxFlipRateIsRefusedNamingTheFieldAndStoresNothing() {
        ok(admin.post("/api/v1/models", Map.of("name", "metrics-strict", "task", "classification")), 201);
        String path = "/api/v1/models/metrics-strict/policy";
        Map<Map<String, Object>, String> bad = Map.of(
                Map.of("maxMeanKld", -0.1), "maxMeanKld",
                Map.of("maxMeanKld", "small"), "maxMeanKld",
                Map.of("maxFlipRate", 1.5), "maxFlipRate",
                Map.of("maxAccuracyDrop", 0.01, "maxFlipRate", -0.01), "maxFlipRate");
        bad.forEach((policy, field) -> {
            HttpApi.Reply reply = admin.put(path, policy);
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(reply.isProblem()).isTrue();
            assertThat(reply.json().get("field").asString()).isEqualTo(field);
        });
        JsonNode policy = ok(admin.get(path), 200).json();
        assertThat(policy.get("source").asString()).isEqualTo("risk-tier-default");
        assertThat(policy.get("maxFlipRate").isNull()).isTrue();
        assertThat(policy.get("maxMeanKld").isNull()).isTrue();

        JsonNode set = ok(admin.put(path, Map.of("maxMeanKld", 0.05, "maxFlipRate", 0.01)), 200).json();
        assertThat(set.get("maxMeanKld").asDouble()).isEqualTo(0.05);
        assertThat(ok(admin.get(path), 200).json().get("maxFlipRate").asDouble()).isEqualTo(0.01);
    }

    @Test
    void anEmbeddingModelIsEvaluatedAsAnEmbeddingWithAndWithoutLabels() throws Exception {
        String checkpointId = modelWithCheckpoint("metrics-embedder", "embedding", EmbeddingFixture.model(42));
        ok(admin.post("/api/v1/recipes", Map.of("name", "metrics-embed-int8", "method", "int8-dynamic")), 201);
        dataset("metrics-pairs", "evaluation", Map.of("features.npy", EmbeddingFixture.features(60, 7),
                "labels.npy", EmbeddingFixture.pairLabels(60)));
        dataset("metrics-pairs-unlabelled", "evaluation", Map.of("features.npy", EmbeddingFixture.features(60, 7)));
        String variantId = quantizeAndEvaluate(Map.of("checkpointId", checkpointId,
                "recipe", Map.of("name", "metrics-embed-int8", "version", 1)), "metrics-pairs");

        JsonNode evaluation = admin.get("/api/v1/variants/" + variantId).json().get("evaluations").get(0);
        JsonNode metrics = evaluation.get("metrics");
        assertThat(metrics.get("meanCosine").asDouble()).isBetween(0.99, 1.0);
        assertThat(metrics.get("cosineP1").asDouble()).isBetween(0.9, 1.0);
        assertThat(metrics.get("neighbourOverlap10").asDouble()).isBetween(0.8, 1.0);
        assertThat(metrics.get("recall10").asDouble()).isBetween(0.8, 1.0);
        assertThat(evaluation.get("referenceMetrics").get("recall10").asDouble()).isBetween(0.8, 1.0);
        assertThat(evaluation.get("samples").asLong()).isEqualTo(120);

        JsonNode unlabelled = awaitFinished(admin, ok(admin.post("/api/v1/jobs", Map.of("type", "EVALUATE",
                "variantId", variantId, "dataset", Map.of("name", "metrics-pairs-unlabelled", "version", 1))), 202)
                .json().get("id").asString());
        assertThat(unlabelled.get("status").asString()).as(unlabelled + registry.tail()).isEqualTo("SUCCEEDED");
        JsonNode second = admin.get("/api/v1/variants/" + variantId).json().get("evaluations").get(1).get("metrics");
        assertThat(second.has("meanCosine")).isTrue();
        assertThat(second.has("recall10")).as("no labels, no recall").isFalse();

        // Labels the engine cannot use (item 0 named as its own relevant item) fail the job with the reason.
        byte[] selfRelevant = EmbeddingFixture.pairLabels(60);
        dataset("metrics-pairs-self", "evaluation", Map.of("features.npy", EmbeddingFixture.features(60, 7),
                "labels.npy", withFirstLabelZero(selfRelevant)));
        JsonNode refused = awaitFinished(admin, ok(admin.post("/api/v1/jobs", Map.of("type", "EVALUATE",
                "variantId", variantId, "dataset", Map.of("name", "metrics-pairs-self", "version", 1))), 202)
                .json().get("id").asString());
        assertThat(refused.get("status").asString()).isEqualTo("FAILED");
        assertThat(refused.get("error").asString()).contains("label 0 of item 0 must name another item");
        assertThat(admin.get("/api/v1/variants/" + variantId).json().get("evaluations")).as("nothing recorded")
                .hasSize(2);

        Map<String, JsonNode> checks = checksAfterPolicy("metrics-embedder", variantId,
                Map.of("maxMeanKld", 0.01, "maxFlipRate", 0.01));
        assertThat(checks.get("maxMeanKld").get("detail").asString()).startsWith("not applicable");
        assertThat(checks.get("maxFlipRate").get("detail").asString()).startsWith("not applicable");
    }
}
