package io.qreg.registry.policy;

import static io.qreg.registry.policy.VariantMaker.classification;
import static io.qreg.registry.policy.VariantMaker.languageModel;
import static io.qreg.registry.policy.VariantMaker.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Bodies;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Acceptance policies and verdicts over HTTP, with evidence reported through the worker protocol. */
class PolicyIT extends PolicyTestSupport {

    private JsonNode verdict(String variantId) {
        return ok(engineer.get("/api/v1/variants/" + variantId + "/verdict"), 200).json();
    }

    /** The checks of a verdict by name (and hardware target, as "name@target", for benchmark checks). */
    private static Map<String, JsonNode> checks(JsonNode verdict) {
        Map<String, JsonNode> checks = new HashMap<>();
        for (JsonNode c : verdict.get("checks")) {
            checks.put(c.get("name").asString() + (c.has("hardwareTarget") ? "@" + c.get("hardwareTarget").asString()
                    : ""), c);
        }
        return checks;
    }

    @Test
    void aModelWithoutItsOwnPolicyHasItsRiskTiersDefaultsUntilAnAdminSetsOne() {
        String model = maker.model(engineer, "classification", "high");
        JsonNode defaults = ok(engineer.get("/api/v1/models/" + model + "/policy"), 200).json();
        assertThat(defaults.get("source").asString()).isEqualTo("risk-tier-default");
        assertThat(defaults.get("riskTier").asString()).isEqualTo("high");
        assertThat(defaults.get("maxAccuracyDrop").asDouble()).isEqualTo(0.01);
        assertThat(defaults.get("minSpeedup").asDouble()).isEqualTo(0.75);
        assertThat(defaults.get("maxP99LatencyMs").isNull()).isTrue();

        String standard = maker.model(engineer, "classification", "standard");
        String regulated = maker.model(engineer, "classification", "regulated");
        double standardDrop = engineer.get("/api/v1/models/" + standard + "/policy").json().get("maxAccuracyDrop")
                .asDouble();
        double regulatedDrop = engineer.get("/api/v1/models/" + regulated + "/policy").json().get("maxAccuracyDrop")
                .asDouble();
        assertThat(regulatedDrop).isLessThan(0.01);
        assertThat(standardDrop).isGreaterThan(0.01);

        String target = maker.hardwareTarget("edge");
        JsonNode own = ok(admin().put("/api/v1/models/" + model + "/policy",
                Bodies.of("maxAccuracyDrop", 0.05, "minSpeedup", 1.2, "hardwareTargets", List.of(target))), 200).json();
        assertThat(own.get("source").asString()).isEqualTo("model");
        assertThat(own.get("maxAccuracyDrop").asDouble()).isEqualTo(0.05);
        assertThat(own.get("minTop1Agreement").isNull()).as("left out, so not checked").isTrue();
        assertThat(own.get("hardwareTargets").get(0).asString()).isEqualTo(target);
        assertThat(own.get("updatedBy").asString()).isEqualTo("admin");
        assertThat(engineer.get("/api/v1/models/" + model + "/policy").json()).isEqualTo(own);

        JsonNode cleared = ok(admin().delete("/api/v1/models/" + model + "/policy"), 200).json();
        assertThat(cleared.get("source").asString()).isEqualTo("risk-tier-default");
        assertThat(cleared.get("maxAccuracyDrop").asDouble()).isEqualTo(0.01);
        assertThat(jdbc.queryForList("select action from audit_event where subject_type = 'model' and subject_id = ?"
                + " order by seq", String.class, model)).containsSubsequence("policy.set", "policy.cleared");
    }

    @Test
    void aBadPolicyIsRefusedNamingTheFieldAndChangesNothing() {
        String model = maker.model(engineer, "classification", "standard");
        String path = "/api/v1/models/" + model + "/policy";
        Map<String, Object> misspelt = Bodies.of("maxAccuracyDorp", 0.01);
        Map<Map<String, Object>, String> bad = Map.of(
                misspelt, "maxAccuracyDorp",
                Bodies.of("maxAccuracyDrop", "a lot"), "maxAccuracyDrop",
                Bodies.of("minTop1Agreement", 1.5), "minTop1Agreement",
                Bodies.of("minSpeedup", -1), "minSpeedup",
                Bodies.of("hardwareTargets", List.of("no-such-target")), "hardwareTargets",
                Bodies.of("hardwareTargets", List.of()), "hardwareTargets");
        bad.forEach((policy, field) -> {
            HttpApi.Reply reply = admin().put(path, policy);
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(reply.isProblem()).isTrue();
            assertThat(reply.json().get("field").asString()).isEqualTo(field);
        });
        assertThat(admin().put(path, misspelt).json().get("detail").asString()).contains("unknown policy field");
        assertThat(admin().put("/api/v1/models/no-such-model/policy", Bodies.of("maxAccuracyDrop", 0.01)).status())
                .isEqualTo(404);
        assertThat(engineer.put(path, Bodies.of("maxAccuracyDrop", 0.5)).status()).isEqualTo(403);
        assertThat(engineer.get(path).json().get("source").asString()).isEqualTo("risk-tier-default");
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'policy.set'"
                + " and subject_id = ?", Integer.class, model)).isZero();
    }

    @Test
    void verdictChecksEvaluationThresholdsIncludingTheWorstSliceAndFailsWithoutEvidence() {
        String model = maker.model(engineer, "classification", "standard");
        ok(admin().put("/api/v1/models/" + model + "/policy", Bodies.of("maxAccuracyDrop", 0.02,
                "minTop1Agreement", 0.9, "maxWorstSliceAccuracyDrop", 0.05, "maxPerplexityIncreasePct", 5)), 200);
        String variant = maker.quantize(engineer, model, "int8-dynamic");

        JsonNode unmeasured = verdict(variant);
        assertThat(unmeasured.get("passed").asBoolean()).isFalse();
        assertThat(unmeasured.get("policy").get("source").asString()).isEqualTo("model");
        Map<String, JsonNode> before = checks(unmeasured);
        for (String name : List.of("maxAccuracyDrop", "minTop1Agreement", "maxWorstSliceAccuracyDrop")) {
            assertThat(before.get(name).get("passed").asBoolean()).as(name).isFalse();
            assertThat(before.get(name).get("detail").asString()).isEqualTo("no evaluation yet");
            assertThat(before.get(name).get("actual").isNull()).isTrue();
        }
        assertThat(before.get("maxPerplexityIncreasePct").get("passed").asBoolean()).isTrue();
        assertThat(before.get("maxPerplexityIncreasePct").get("detail").asString()).startsWith("not applicable");

        // Overall 1 point lower, top-1 agreement 0.97; slice 1 lost 8 points.
        String evaluation = maker.evaluate(engineer, variant, classification(0.95, 0.96, 0.97, -0.01, -0.08));
        JsonNode judged = verdict(variant);
        Map<String, JsonNode> after = checks(judged);
        assertThat(after.get("maxAccuracyDrop").get("passed").asBoolean()).isTrue();
        assertThat(after.get("maxAccuracyDrop").get("actual").asDouble()).isCloseTo(0.01, within(1e-9));
        assertThat(after.get("maxAccuracyDrop").get("threshold").asDouble()).isEqualTo(0.02);
        JsonNode used = after.get("maxAccuracyDrop").get("evidence").get(0);
        assertThat(used.get("kind").asString()).isEqualTo("evaluation");
        assertThat(used.get("id").asString()).isEqualTo(evaluation);
        assertThat(used.get("dataset").asString()).endsWith("@1");
        assertThat(after.get("minTop1Agreement").get("passed").asBoolean()).isTrue();
        assertThat(after.get("minTop1Agreement").get("actual").asDouble()).isEqualTo(0.97);
        JsonNode worstSlice = after.get("maxWorstSliceAccuracyDrop");
        assertThat(worstSlice.get("passed").asBoolean()).isFalse();
        assertThat(worstSlice.get("actual").asDouble()).isCloseTo(0.08, within(1e-9));
        assertThat(worstSlice.get("detail").asString()).contains("slice 1", "50 samples");
        assertThat(judged.get("passed").asBoolean()).isFalse();

        JsonNode read = ok(engineer.get("/api/v1/variants/" + variant), 200).json();
        assertThat(read.get("policyVerdict").get("passed").asBoolean()).isFalse();
        assertThat(read.get("policyVerdict").get("checks")).hasSize(4);
        assertThat(read.get("sha256").asString()).as("the variant's own fields stay beside the verdict").hasSize(64);
        JsonNode listed = ok(engineer.get("/api/v1/models/" + model + "/variants"), 200).json().get("items").get(0);
        assertThat(listed.get("id").asString()).isEqualTo(variant);
        assertThat(listed.get("policyVerdict").get("passed").asBoolean()).isFalse();
        assertThat(listed.get("speedup").isNull()).isTrue();
    }

    @Test
    void highRiskDefaultsPassTheReferenceLanguageModelVariantsAndCatchAPerplexityRegression() {
        String model = maker.model(engineer, "language-model", "high");
        String target = maker.hardwareTarget("cpu");
        // bytelm_small as measured on this machine: perplexity, next-byte accuracy, top-1 agreement, speed-up.
        Map<String, double[]> reference = Map.of(
                "int8-dynamic", new double[] {6.1309, 0.5255, 0.9782, 1.5},
                "int4-weight", new double[] {6.2331, 0.5218, 0.9120, 0.99},
                "fp16", new double[] {6.1231, 0.5260, 0.9995, 0.96});
        reference.forEach((method, figures) -> {
            String variant = maker.quantize(engineer, model, method);
            maker.evaluate(engineer, variant, languageModel(figures[0], 6.1230, figures[1], 0.5260, figures[2]));
            JsonNode waiting = verdict(variant);
            assertThat(waiting.get("passed").asBoolean()).as(method + " without a benchmark").isFalse();
            assertThat(checks(waiting).get("minSpeedup").get("detail").asString()).isEqualTo("no benchmark yet");
            maker.benchmark(engineer, variant, target, figures[3], 4.0, 1_000_000);
            JsonNode judged = verdict(variant);
            assertThat(judged.get("passed").asBoolean()).as(method + ": " + judged).isTrue();
            assertThat(checks(judged).get("maxPerplexityIncreasePct").get("actual").asDouble())
                    .isCloseTo((figures[0] - 6.1230) / 6.1230 * 100, within(1e-6));
            assertThat(checks(judged)).containsKey("minSpeedup@" + target);
        });

        String regressed = maker.quantize(engineer, model, "int4-weight");
        maker.evaluate(engineer, regressed, languageModel(6.5, 6.1230, 0.51, 0.5260, 0.93));
        maker.benchmark(engineer, regressed, target, 1.1, 4.0, 1_000_000);
        JsonNode judged = verdict(regressed);
        assertThat(judged.get("passed").asBoolean()).isFalse();
        JsonNode perplexity = checks(judged).get("maxPerplexityIncreasePct");
        assertThat(perplexity.get("passed").asBoolean()).isFalse();
        assertThat(perplexity.get("actual").asDouble()).isCloseTo(6.157, within(0.001));
        JsonNode accuracy = checks(judged).get("maxAccuracyDrop");
        assertThat(accuracy.get("passed").asBoolean()).isFalse();
        assertThat(accuracy.get("detail").asString()).contains("nextTokenAccuracy drop 0.016 > 0.01");
    }

    @Test
    void benchmarkThresholdsApplyOnEveryNamedHardwareTargetAndAMissingOneFails() {
        String model = maker.model(engineer, "classification", "standard");
        String gpu = maker.hardwareTarget("gpu");
        String edge = maker.hardwareTarget("edge");
        ok(admin().put("/api/v1/models/" + model + "/policy", Bodies.of("minSpeedup", 1.2, "maxP99LatencyMs", 5,
                "maxMemoryMb", 10, "hardwareTargets", List.of(gpu, edge))), 200);
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        String onGpu = maker.benchmark(engineer, variant, gpu, 1.5, 4.0, 5L * 1024 * 1024);

        Map<String, JsonNode> partial = checks(verdict(variant));
        assertThat(partial).hasSize(6);
        for (String name : List.of("minSpeedup", "maxP99LatencyMs", "maxMemoryMb")) {
            JsonNode passed = partial.get(name + "@" + gpu);
            assertThat(passed.get("passed").asBoolean()).as(name).isTrue();
            assertThat(passed.get("evidence").get(0).get("kind").asString()).isEqualTo("benchmark");
            assertThat(passed.get("evidence").get(0).get("id").asString()).isEqualTo(onGpu);
            assertThat(passed.get("evidence").get(0).get("hardwareTarget").asString()).isEqualTo(gpu);
            JsonNode missing = partial.get(name + "@" + edge);
            assertThat(missing.get("passed").asBoolean()).isFalse();
            assertThat(missing.get("detail").asString()).isEqualTo("no benchmark yet on hardware target '" + edge
                    + "'");
        }
        assertThat(partial.get("maxMemoryMb@" + gpu).get("actual").asDouble()).isEqualTo(5.0);

        maker.benchmark(engineer, variant, edge, 1.1, 6.0, 20L * 1024 * 1024);
        JsonNode judged = verdict(variant);
        Map<String, JsonNode> all = checks(judged);
        assertThat(all.get("minSpeedup@" + edge).get("actual").asDouble()).isEqualTo(1.1);
        assertThat(all.get("minSpeedup@" + edge).get("passed").asBoolean()).isFalse();
        assertThat(all.get("maxP99LatencyMs@" + edge).get("passed").asBoolean()).isFalse();
        assertThat(all.get("maxMemoryMb@" + edge).get("passed").asBoolean()).isFalse();
        assertThat(judged.get("passed").asBoolean()).isFalse();

        // Without named targets, every target the variant was benchmarked on is checked.
        ok(admin().put("/api/v1/models/" + model + "/policy", Bodies.of("minSpeedup", 1.2)), 200);
        Map<String, JsonNode> everywhere = checks(verdict(variant));
        assertThat(everywhere.keySet()).containsExactlyInAnyOrder("minSpeedup@" + gpu, "minSpeedup@" + edge);
    }

    @Test
    void theEvidenceDigestIsTheSha256OfTheCanonicalEvidenceAndMovesWithEveryNewResult() {
        String model = maker.model(engineer, "classification", "standard");
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        String first = maker.evaluate(engineer, variant, classification(0.96, 0.96, 1.0));
        JsonNode evidence = verdict(variant).get("evidence");
        JsonNode read = engineer.get("/api/v1/variants/" + variant).json();
        assertThat(evidence.get("artifactSha256").asString()).isEqualTo(read.get("sha256").asString());
        assertThat(evidence.get("recipeHash").asString())
                .isEqualTo(read.get("lineage").get("recipe").get("hash").asString());
        assertThat(evidence.get("calibrationSha256").isNull()).isTrue();
        String canonical = "{\"artifactSha256\":\"" + read.get("sha256").asString() + "\",\"benchmarkIds\":[],"
                + "\"calibrationSha256\":null,\"evaluationIds\":[\"" + first + "\"],\"recipeHash\":\""
                + evidence.get("recipeHash").asString() + "\"}";
        assertThat(evidence.get("digest").asString())
                .isEqualTo(Fixtures.sha256(canonical.getBytes(StandardCharsets.UTF_8)));

        String second = maker.evaluate(engineer, variant, classification(0.96, 0.96, 1.0));
        JsonNode after = verdict(variant).get("evidence");
        List<String> ids = new ArrayList<>();
        after.get("evaluationIds").forEach(id -> ids.add(id.asString()));
        assertThat(ids).containsExactly(first, second);
        assertThat(after.get("digest").asString()).isNotEqualTo(evidence.get("digest").asString());
    }

    @Test
    void theVerdictOfAnUnknownVariantIs404() {
        HttpApi.Reply reply = engineer.get("/api/v1/variants/00000000-0000-0000-0000-000000000001/verdict");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.isProblem()).isTrue();
        assertThat(engineer.get("/api/v1/models/no-such-model/policy").status()).isEqualTo(404);
    }
}
