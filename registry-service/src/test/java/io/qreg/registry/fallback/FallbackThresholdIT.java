package io.qreg.registry.fallback;

import static io.qreg.registry.job.EmbeddedWorkerIT.awaitFinished;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.WorkingRegistry;
import io.qreg.registry.support.WorkingRegistryTest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Issue 14 item 6 end to end: the registry's own worker quantizes and evaluates a classifier against its checkpoint,
 * the evaluation stores the selective-routing curve, and the routing config's fallback carries the threshold that a
 * tier's or the model policy's operating point picks on it, in the qreg JSON, the Envoy metadata and the Gateway API
 * annotation; a variant without a curve gets no threshold and the reason. The tests run on the shared
 * {@link WorkingRegistry}; what they create is named fallback-*.
 */
class FallbackThresholdIT extends WorkingRegistryTest {

    private String checkpointId;

    @BeforeAll
    void modelRecipesAndDatasets() throws Exception {
        checkpointId = modelWithCheckpoint("fallback-digits-cnn", "classification", Fixtures.bytes("digits_cnn.onnx"));
        // Entropy calibration, so that the curve has disagreements to recover whatever the CPU: min/max flips 0 to
        // 2 of the 500 digits depending on the CPU's int8 kernels (see EvaluationMetricsIT).
        ok(admin.post("/api/v1/recipes", Map.of("name", "fallback-cnn-static", "method", "int8-static",
                "calibrationMethod", "entropy")), 201);
        ok(admin.post("/api/v1/recipes", Map.of("name", "fallback-cnn-dynamic", "method", "int8-dynamic")), 201);
        ok(admin.upload("/api/v1/datasets", Map.of("name", "fallback-cnn-calib", "purpose", "calibration"),
                Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_calib_x_img.npy"))), "calib.zip"), 201);
        ok(admin.upload("/api/v1/datasets", Map.of("name", "fallback-cnn-eval", "purpose", "evaluation"),
                Fixtures.zip(Map.of("input.npy", imageShaped(Fixtures.bytes("digits_eval_x.npy")),
                        "labels.npy", Fixtures.bytes("digits_eval_y.npy"))), "eval.zip"), 201);
    }

    /** The flat [N, 64] digits as the CNN's [N, 1, 8, 8] images. */
    private static byte[] imageShaped(byte[] flat) throws IOException {
        NpyArray digits = NpyArray.read(new ByteArrayInputStream(flat));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, NpyArray.ofFloats(digits.toFloatArray(), digits.samples(), 1, 8, 8));
        return out.toByteArray();
    }

    /** Quantizes on the embedded worker, with an EVALUATE follow-up on cnn-eval when {@code evaluate}. */
    private String quantize(String recipe, boolean evaluate) throws Exception {
        Map<String, Object> request = new java.util.HashMap<>(Map.of("type", "QUANTIZE", "checkpointId", checkpointId,
                "recipe", Map.of("name", recipe, "version", 1),
                "calibrationDataset", Map.of("name", "fallback-cnn-calib", "version", 1)));
        if (evaluate) {
            request.put("followUps", List.of(Map.of("type", "EVALUATE", "dataset", Map.of("name", "fallback-cnn-eval",
                    "version", 1))));
        }
        JsonNode job = awaitFinished(admin, ok(admin.post("/api/v1/jobs", request), 202).json().get("id").asString());
        assertThat(job.get("status").asString()).as(job + registry.tail()).isEqualTo("SUCCEEDED");
        if (evaluate) {
            JsonNode evaluation = awaitFinished(admin, job.get("followUpJobIds").get(0).asString());
            assertThat(evaluation.get("status").asString()).as(evaluation + registry.tail()).isEqualTo("SUCCEEDED");
        }
        return job.get("variantId").asString();
    }

    private JsonNode rule(JsonNode routing, String tier) {
        for (JsonNode rule : routing.get("rules")) {
            if (rule.get("name").asString().equals(tier)) {
                return rule;
            }
        }
        throw new AssertionError("no rule " + tier + " in " + routing);
    }

    /** The curve's point an operating point picks, worked out here from the stored points. */
    private static JsonNode expectedPoint(JsonNode curve, String key, double share) {
        List<JsonNode> points = new ArrayList<>();
        curve.get("points").forEach(points::add);
        if (key.equals("recoverDisagreements")) {
            return points.stream().filter(p -> p.get("recovery").asDouble() >= share).findFirst().orElseThrow();
        }
        return points.stream().filter(p -> p.get("traffic").asDouble() <= share).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void theEvaluatedVariantsCurveGivesEachTiersFallbackAThresholdInAllThreeFormats() throws Exception {
        String evaluated = quantize("fallback-cnn-static", true);
        String unevaluated = quantize("fallback-cnn-dynamic", false);

        JsonNode evaluation = ok(admin.get("/api/v1/variants/" + evaluated), 200).json().get("evaluations").get(0);
        JsonNode curve = evaluation.get("selectiveRouting");
        assertThat(curve.get("confidence").asString()).isEqualTo("maxSoftmaxProbability");
        assertThat(curve.get("positions").asLong()).isEqualTo(500);
        assertThat(curve.get("disagreements").asLong()).isPositive()
                .isEqualTo(Math.round(evaluation.get("metrics").get("flipRate").asDouble() * 500));
        assertThat(curve.get("points").size()).isBetween(2, 101);
        assertThat(curve.get("points").get(0).get("threshold").asDouble()).isZero();
        JsonNode last = curve.get("points").get(curve.get("points").size() - 1);
        assertThat(last.get("traffic").asDouble()).isEqualTo(1.0);
        assertThat(last.get("recovery").asDouble()).isEqualTo(1.0);

        ok(admin.post("/api/v1/deployments", Map.of("name", "fallback-digits", "modelName", "fallback-digits-cnn",
                "environments", List.of(Map.of("name", "dev", "approvalRequired", false)),
                "tiers", List.of(Map.of("name", "premium"), Map.of("name", "bulk"),
                        Map.of("name", "unmeasured", "fallback", Map.of("recoverDisagreements", 0.5)),
                        Map.of("name", "standard", "default", true, "fallback", Map.of("maxTraffic", 0.05))))), 201);
        JsonNode tiers = ok(admin.get("/api/v1/deployments/fallback-digits"), 200).json().get("tiers");
        assertThat(tiers.toString()).contains("\"fallback\":{\"maxTraffic\":0.05}");
        rollout("checkpointId", checkpointId, "premium");
        rollout("variantId", evaluated, "standard");
        rollout("variantId", evaluated, "bulk");
        rollout("variantId", unevaluated, "unmeasured");

        JsonNode routing = ok(admin.get("/api/v1/routing/fallback-digits?environment=dev"), 200).json();
        JsonNode standard = rule(routing, "standard").get("fallback");
        JsonNode atFivePercent = expectedPoint(curve, "maxTraffic", 0.05);
        assertThat(standard.get("cluster").asString()).isEqualTo("cp-" + checkpointId);
        assertThat(standard.get("threshold").asDouble()).isEqualTo(atFivePercent.get("threshold").asDouble());
        assertThat(standard.get("expectedTraffic").asDouble()).isEqualTo(atFivePercent.get("traffic").asDouble())
                .isLessThanOrEqualTo(0.05);
        assertThat(standard.get("expectedRecovery").asDouble()).isEqualTo(atFivePercent.get("recovery").asDouble());
        assertThat(standard.get("confidence").asString()).isEqualTo("maxSoftmaxProbability");
        assertThat(standard.get("operatingPoint").toString()).isEqualTo("{\"from\":\"tier\",\"maxTraffic\":0.05}");
        assertThat(standard.get("evidence").get("evaluation").asString()).isEqualTo(evaluation.get("id").asString());
        assertThat(standard.get("evidence").get("dataset").asString()).isEqualTo("fallback-cnn-eval@1");

        // Neither bulk nor the policy names an operating point yet: no threshold, and the config says why.
        JsonNode bulk = rule(routing, "bulk").get("fallback");
        assertThat(bulk.get("threshold").isNull()).isTrue();
        assertThat(bulk.get("thresholdReason").asString()).startsWith("no operating point");
        JsonNode unmeasured = rule(routing, "unmeasured").get("fallback");
        assertThat(unmeasured.get("threshold").isNull()).isTrue();
        assertThat(unmeasured.get("thresholdReason").asString()).startsWith("no selective-routing curve")
                .contains(unevaluated);

        // The model's policy picks bulk's point; the routing config follows in a new revision.
        long before = routing.get("revision").asLong();
        ok(admin.put("/api/v1/models/fallback-digits-cnn/policy",
                Map.of("fallback", Map.of("recoverDisagreements", 0.9))), 200);
        routing = ok(admin.get("/api/v1/routing/fallback-digits?environment=dev"), 200).json();
        assertThat(routing.get("revision").asLong()).isEqualTo(before + 1);
        bulk = rule(routing, "bulk").get("fallback");
        JsonNode atNinetyPercent = expectedPoint(curve, "recoverDisagreements", 0.9);
        assertThat(bulk.get("threshold").asDouble()).isEqualTo(atNinetyPercent.get("threshold").asDouble());
        assertThat(bulk.get("expectedRecovery").asDouble()).isEqualTo(atNinetyPercent.get("recovery").asDouble())
                .isGreaterThanOrEqualTo(0.9);
        assertThat(bulk.get("operatingPoint").get("from").asString()).isEqualTo("policy");
        assertThat(rule(routing, "standard").get("fallback").get("operatingPoint").get("from").asString())
                .as("the tier's own point wins over the policy's").isEqualTo("tier");

        String body = ok(admin.get("/api/v1/routing/fallback-digits?environment=dev"), 200).body();
        String schema = ok(admin.get("/schemas/routing-v1.json"), 200).body();
        assertThat(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema)
                .validate(HttpApi.JSON.readTree(body))).as(body).isEmpty();
        assertThat(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema)
                .validate(HttpApi.JSON.readTree(body.replace("\"threshold\":" + bulk.get("threshold"),
                        "\"threshold\":1.5")))).as("a threshold is a probability").isNotEmpty();
        JsonNode withoutReason = HttpApi.JSON.readTree(body);
        ((tools.jackson.databind.node.ObjectNode) rule(withoutReason, "unmeasured").get("fallback"))
                .remove("thresholdReason");
        assertThat(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema)
                .validate(withoutReason)).as("a missing threshold says why").isNotEmpty();

        JsonNode envoy = ok(admin.get("/api/v1/routing/fallback-digits?environment=dev&format=envoy"), 200).json();
        Map<String, JsonNode> metadata = new java.util.HashMap<>();
        envoy.get("virtual_hosts").get(0).get("routes").forEach(r -> metadata.put(r.get("name").asString(),
                r.get("metadata").get("filter_metadata").get("qreg")));
        assertThat(metadata.get("standard").get("fallback_threshold").asDouble())
                .isEqualTo(atFivePercent.get("threshold").asDouble());
        assertThat(metadata.get("standard").get("fallback_expected_traffic").asDouble())
                .isEqualTo(atFivePercent.get("traffic").asDouble());
        assertThat(metadata.get("bulk").get("fallback_expected_recovery").asDouble())
                .isEqualTo(atNinetyPercent.get("recovery").asDouble());
        assertThat(metadata.get("unmeasured").get("fallback_threshold").isNull()).isTrue();
        assertThat(metadata.get("unmeasured").get("fallback_threshold_reason").asString())
                .startsWith("no selective-routing curve");

        JsonNode route = ok(admin.get("/api/v1/routing/fallback-digits?environment=dev&format=gateway-api"), 200)
                .json();
        JsonNode thresholds = HttpApi.JSON.readTree(route.get("metadata").get("annotations")
                .get("qreg.io/low-confidence-thresholds").asString());
        assertThat(thresholds.get("standard").get("threshold").asDouble())
                .isEqualTo(atFivePercent.get("threshold").asDouble());
        assertThat(thresholds.get("bulk").get("expectedTraffic").asDouble())
                .isEqualTo(atNinetyPercent.get("traffic").asDouble());
        assertThat(thresholds.get("unmeasured").get("threshold").isNull()).isTrue();
        assertThat(thresholds.get("unmeasured").get("reason").asString()).startsWith("no selective-routing curve");
        assertThat(thresholds.has("premium")).as("the most precise backend has no fallback").isFalse();
    }

    private void rollout(String field, String id, String tier) {
        JsonNode rollout = ok(admin.post("/api/v1/deployments/fallback-digits/rollouts", Map.of(field, id,
                "environment", "dev", "tier", tier, "steps", List.of(100))), 201).json();
        assertThat(rollout.get("phase").asString()).isEqualTo("COMPLETED");
    }

    @Test
    void aCheckpointEvaluatedOnItsOwnStoresNoCurveSinceItIsItsOwnReference() throws Exception {
        JsonNode job = awaitFinished(admin, ok(admin.post("/api/v1/jobs", Map.of("type", "EVALUATE", "checkpointId",
                checkpointId, "dataset", Map.of("name", "fallback-cnn-eval", "version", 1))), 202)
                .json().get("id").asString());
        assertThat(job.get("status").asString()).as(job + registry.tail()).isEqualTo("SUCCEEDED");
        JsonNode evaluation = ok(admin.get("/api/v1/checkpoints/" + checkpointId + "/evaluations"), 200).json().get(0);
        assertThat(evaluation.get("metrics").has("accuracy")).isTrue();
        assertThat(evaluation.get("selectiveRouting").isNull()).isTrue();
    }

    @Test
    void anOperatingPointThatIsNotExactlyOneShareIsRefusedNamingTheFieldAndNothingIsStored() {
        ok(admin.post("/api/v1/models", Map.of("name", "strict-fallback", "task", "classification")), 201);
        Map<Object, String> bad = Map.of(
                Map.of("recoverDisagreements", 0.9, "maxTraffic", 0.05), "fallback",
                Map.of(), "fallback",
                Map.of("maxTraffic", 1.5), "fallback.maxTraffic",
                Map.of("recoverDisagreements", 0), "fallback.recoverDisagreements",
                Map.of("maxTraffic", "5%"), "fallback.maxTraffic",
                Map.of("maxTrafic", 0.05), "fallback.maxTrafic",
                "0.9", "fallback");
        bad.forEach((fallback, field) -> {
            HttpApi.Reply policy = admin.put("/api/v1/models/strict-fallback/policy", Map.of("fallback", fallback));
            assertThat(policy.status()).as(policy.body()).isEqualTo(400);
            assertThat(policy.isProblem()).isTrue();
            assertThat(policy.json().get("field").asString()).isEqualTo(field);

            HttpApi.Reply deployment = admin.post("/api/v1/deployments", Map.of("name", "fallback-strict", "modelName",
                    "strict-fallback", "environments", List.of("prod"), "tiers", List.of(Map.of("name", "std",
                            "default", true, "fallback", fallback))));
            assertThat(deployment.status()).as(deployment.body()).isEqualTo(400);
            assertThat(deployment.isProblem()).isTrue();
            assertThat(deployment.json().get("field").asString()).isEqualTo("tiers[0]." + field);
        });
        JsonNode policy = ok(admin.get("/api/v1/models/strict-fallback/policy"), 200).json();
        assertThat(policy.get("source").asString()).isEqualTo("risk-tier-default");
        assertThat(policy.get("fallback").isNull()).isTrue();
        assertThat(admin.get("/api/v1/deployments/fallback-strict").status()).isEqualTo(404);

        JsonNode set = ok(admin.put("/api/v1/models/strict-fallback/policy", Map.of("fallback",
                Map.of("maxTraffic", 0.05))), 200).json();
        assertThat(set.get("fallback").toString()).isEqualTo("{\"maxTraffic\":0.05}");
        assertThat(ok(admin.get("/api/v1/models/strict-fallback/policy"), 200).json().get("fallback").toString())
                .isEqualTo("{\"maxTraffic\":0.05}");
    }
}
