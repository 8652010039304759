package io.qreg.registry.policy;

import static io.qreg.registry.policy.VariantMaker.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Bodies;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Speed gates compare the conservative bound of a benchmark's 95 % bootstrap interval (issue 14 item 5): the lower
 * bound for minSpeedup, the upper bound for maxP99LatencyMs; benchmarks without an interval keep their point estimate.
 */
class BenchmarkIntervalGateIT extends PolicyTestSupport {

    /** A variant of a model whose policy sets the thresholds on a hardware target of its own. */
    private record Gated(String target, String model, String variant) {
    }

    private Gated gatedVariant(Map<String, Object> thresholds) {
        String target = maker.hardwareTarget("ci");
        String model = maker.model(engineer, "classification", "standard");
        ok(admin().put("/api/v1/models/" + model + "/policy", Bodies.with(thresholds, "hardwareTargets",
                List.of(target))), 200);
        return new Gated(target, model, maker.quantize(engineer, model, "int8-dynamic"));
    }

    /** The detail of the variant's check {@code name}, once asserted passed (or not) at this actual value. */
    private String judged(String variant, String name, boolean passed, double actual) {
        JsonNode check = check(variant, name);
        assertThat(check.get("passed").asBoolean()).as(name + " passed").isEqualTo(passed);
        assertThat(check.get("actual").asDouble()).as(name + " actual").isEqualTo(actual);
        return check.get("detail").asString();
    }

    private JsonNode firstBenchmark(String variant) {
        return ok(engineer.get("/api/v1/variants/" + variant), 200).json().get("benchmarks").get(0);
    }

    @Test
    void aBenchmarkWhosePointEstimatePassesMinSpeedupButWhoseLowerBoundDoesNotIsRefused() {
        Gated gated = gatedVariant(Map.of("minSpeedup", 1.0));
        String variant = gated.variant();
        maker.benchmarkWithInterval(engineer, variant, gated.target(), 1.04, 0.78, 1.30, 5.0, 6.0);

        assertThat(judged(variant, "minSpeedup", false, 0.78)).contains("lower 95% bound", "0.78x < 1x",
                "estimate 1.04x", "[0.78, 1.3]", "noisy");

        JsonNode benchmark = firstBenchmark(variant);
        assertThat(benchmark.get("speedup").asDouble()).isEqualTo(1.04);
        assertThat(benchmark.get("speedupLow").asDouble()).isEqualTo(0.78);
        assertThat(benchmark.get("speedupHigh").asDouble()).isEqualTo(1.30);
        assertThat(benchmark.get("speedupNoisy").asBoolean()).isTrue();

        String deployment = maker.deployment(engineer, gated.model());
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
        Gated gated = gatedVariant(Map.of("minSpeedup", 1.0));
        String variant = gated.variant();
        maker.benchmarkWithInterval(engineer, variant, gated.target(), 1.40, 1.36, 1.44, 5.0, 6.0);
        assertThat(judged(variant, "minSpeedup", true, 1.36)).doesNotContain("noisy");
    }

    @Test
    void aLatencyLimitComparesTheUpperBoundOfTheP99() {
        Gated gated = gatedVariant(Map.of("maxP99LatencyMs", 10.0));
        String variant = gated.variant();
        maker.benchmarkWithInterval(engineer, variant, gated.target(), 1.5, 1.45, 1.55, 8.0, 12.5);
        assertThat(judged(variant, "maxP99LatencyMs", false, 12.5)).contains("upper 95% bound", "12.5 ms > 10 ms",
                "estimate 8 ms");
    }

    @Test
    void aBenchmarkRecordedWithoutAnIntervalIsJudgedOnItsPointEstimateAndTheCheckSaysSo() {
        Gated gated = gatedVariant(Map.of("minSpeedup", 1.0));
        String variant = gated.variant();
        maker.benchmark(engineer, variant, gated.target(), 1.04, 5.0, 4_000_000);

        assertThat(judged(variant, "minSpeedup", true, 1.04)).contains("point estimate",
                "without a confidence interval");
        JsonNode benchmark = firstBenchmark(variant);
        assertThat(benchmark.get("speedupLow").isNull()).isTrue();
        assertThat(benchmark.get("speedupNoisy").isNull()).isTrue();
    }
}
