package io.qreg.registry.policy;

import static io.qreg.registry.policy.VariantMaker.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Speed gates compare the conservative bound of a benchmark's 95 % bootstrap interval (issue 14 item 5): the lower
 * bound for minSpeedup, the upper bound for maxP99LatencyMs; benchmarks without an interval keep their point estimate.
 */
class BenchmarkIntervalGateIT extends PolicyTestSupport {

    private String modelWithPolicy(String target, Map<String, Object> thresholds) {
        String model = maker.model(engineer, "classification", "standard");
        Map<String, Object> body = new java.util.HashMap<>(thresholds);
        body.put("hardwareTargets", List.of(target));
        ok(admin().put("/api/v1/models/" + model + "/policy", body), 200);
        return model;
    }

    @Test
    void aBenchmarkWhosePointEstimatePassesMinSpeedupButWhoseLowerBoundDoesNotIsRefused() {
        String target = maker.hardwareTarget("ci");
        String model = modelWithPolicy(target, Map.of("minSpeedup", 1.0));
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        maker.benchmarkWithInterval(engineer, variant, target, 1.04, 0.78, 1.30, 5.0, 6.0);

        JsonNode minSpeedup = check(variant, "minSpeedup");
        assertThat(minSpeedup.get("passed").asBoolean()).isFalse();
        assertThat(minSpeedup.get("actual").asDouble()).isEqualTo(0.78);
        assertThat(minSpeedup.get("detail").asString()).contains("lower 95% bound", "0.78x < 1x", "estimate 1.04x",
                "[0.78, 1.3]", "noisy");

        JsonNode benchmark = ok(engineer.get("/api/v1/variants/" + variant), 200).json().get("benchmarks").get(0);
        assertThat(benchmark.get("speedup").asDouble()).isEqualTo(1.04);
        assertThat(benchmark.get("speedupLow").asDouble()).isEqualTo(0.78);
        assertThat(benchmark.get("speedupHigh").asDouble()).isEqualTo(1.30);
        assertThat(benchmark.get("speedupNoisy").asBoolean()).isTrue();

        String deployment = maker.deployment(engineer, model);
        HttpApi.Reply refused = engineer.post("/api/v1/approvals", Map.of("variantId", variant,
                "deployment", deployment, "environment", "production", "tier", "standard"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().get("detail").asString()).contains("minSpeedup", "lower 95% bound");
        assertThat(jdbc.queryForObject("select count(*) from approval where variant_id = ?::uuid", Long.class,
                variant)).isZero();
    }

    @Test
    void aTightIntervalAboveTheThresholdPasses() {
        String target = maker.hardwareTarget("ci");
        String model = modelWithPolicy(target, Map.of("minSpeedup", 1.0));
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        maker.benchmarkWithInterval(engineer, variant, target, 1.40, 1.36, 1.44, 5.0, 6.0);
        JsonNode minSpeedup = check(variant, "minSpeedup");
        assertThat(minSpeedup.get("passed").asBoolean()).isTrue();
        assertThat(minSpeedup.get("actual").asDouble()).isEqualTo(1.36);
        assertThat(minSpeedup.get("detail").asString()).doesNotContain("noisy");
    }

    @Test
    void aLatencyLimitComparesTheUpperBoundOfTheP99() {
        String target = maker.hardwareTarget("ci");
        String model = modelWithPolicy(target, Map.of("maxP99LatencyMs", 10.0));
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        maker.benchmarkWithInterval(engineer, variant, target, 1.5, 1.45, 1.55, 8.0, 12.5);
        JsonNode p99 = check(variant, "maxP99LatencyMs");
        assertThat(p99.get("passed").asBoolean()).isFalse();
        assertThat(p99.get("actual").asDouble()).isEqualTo(12.5);
        assertThat(p99.get("detail").asString()).contains("upper 95% bound", "12.5 ms > 10 ms", "estimate 8 ms");
    }

    @Test
    void aBenchmarkRecordedWithoutAnIntervalIsJudgedOnItsPointEstimateAndTheCheckSaysSo() {
        String target = maker.hardwareTarget("ci");
        String model = modelWithPolicy(target, Map.of("minSpeedup", 1.0));
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        maker.benchmark(engineer, variant, target, 1.04, 5.0, 4_000_000);

        JsonNode minSpeedup = check(variant, "minSpeedup");
        assertThat(minSpeedup.get("passed").asBoolean()).isTrue();
        assertThat(minSpeedup.get("actual").asDouble()).isEqualTo(1.04);
        assertThat(minSpeedup.get("detail").asString()).contains("point estimate", "without a confidence interval");
        JsonNode benchmark = ok(engineer.get("/api/v1/variants/" + variant), 200).json().get("benchmarks").get(0);
        assertThat(benchmark.get("speedupLow").isNull()).isTrue();
        assertThat(benchmark.get("speedupNoisy").isNull()).isTrue();
    }
}
