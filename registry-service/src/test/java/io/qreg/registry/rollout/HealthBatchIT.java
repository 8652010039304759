package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/rollouts/health}: one gateway's reports on many canaries in one request, over
 * real HTTP with the real judge ticking. Bad entries refuse the whole batch and store nothing; entries
 * on rollouts that are gone or finished are answered one by one; what is stored is judged as a single
 * report would be.
 */
class HealthBatchIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("a", "default", true), tier("b"));

    private HttpApi gateway;

    private HttpApi gateway() {
        if (gateway == null) {
            gateway = userWith("GATEWAY");
        }
        return gateway;
    }

    private static Map<String, Object> healthy(String rolloutId) {
        Map<String, Object> entry = new HashMap<>(Map.of("errorRate", 0.001, "p99LatencyMs", 40.0,
                "qualityProxy", 0.98, "requests", 200));
        entry.put("rolloutId", rolloutId);
        return entry;
    }

    /** Two tiers with a stable backend each and a candidate rolling out on both; the two rollout ids. */
    private List<String> twoRollouts(Map<String, Object> analysis) {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String stable = variant(model, "int8-dynamic");
        makeStable(d, stable, "production", "a");
        makeStable(d, stable, "production", "b");
        String candidate = variant(model, "int8-dynamic");
        return List.of("a", "b").stream().map(tier -> ok(startRollout(d, candidate, "production", tier,
                List.of(5, 100), "analysis", analysis), 201).json().get("id").asString()).toList();
    }

    private long reportsOf(String rolloutId) {
        return jdbc.queryForObject("select count(*) from rollout_health where rollout_id = ?::uuid", Long.class,
                rolloutId);
    }

    @Test
    void aBatchStoresTheReportsOfActiveRolloutsAndAnswersEachEntry() throws Exception {
        List<String> ids = twoRollouts(Map.of("intervalSeconds", 60));
        String finished = twoRollouts(Map.of("intervalSeconds", 60)).get(0);
        ok(move(finished, "rollback"), 200);
        String unknown = UUID.randomUUID().toString();

        JsonNode result = ok(gateway().post("/api/v1/rollouts/health", Map.of("reports", List.of(healthy(ids.get(0)),
                healthy(unknown), healthy(ids.get(1)), healthy(finished)))), 200).json();

        assertThat(result.get("stored").asInt()).isEqualTo(2);
        JsonNode outcomes = result.get("results");
        assertThat(outcomes.size()).isEqualTo(4);
        assertThat(List.of(0, 1, 2, 3).stream().map(i -> outcomes.get(i).get("status").asInt()))
                .containsExactly(201, 404, 201, 409);
        assertThat(outcomes.get(1).get("rolloutId").asString()).isEqualTo(unknown);
        assertThat(outcomes.get(3).get("detail").asString()).contains("ROLLED_BACK");
        assertThat(reportsOf(ids.get(0))).isEqualTo(1);
        assertThat(reportsOf(ids.get(1))).isEqualTo(1);
        assertThat(reportsOf(finished)).isZero();
        JsonNode view = ok(engineer().get("/api/v1/rollouts/" + ids.get(0)), 200).json();
        assertThat(view.get("healthReports").get(0).get("requests").asLong()).isEqualTo(200);
    }

    @Test
    void aBadEntryRefusesTheWholeBatchNamingItAndStoresNothing() throws Exception {
        List<String> ids = twoRollouts(Map.of("intervalSeconds", 60));
        Map<String, Object> bad = healthy(ids.get(1));
        bad.put("errorRate", 1.5);

        HttpApi.Reply refused = gateway().post("/api/v1/rollouts/health", Map.of("reports",
                List.of(healthy(ids.get(0)), bad)));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.json().get("field").asString()).isEqualTo("reports[1].errorRate");
        assertThat(reportsOf(ids.get(0))).as("nothing half written").isZero();

        Map<String, Object> anonymous = healthy(ids.get(0));
        anonymous.remove("rolloutId");
        assertThat(gateway().post("/api/v1/rollouts/health", Map.of("reports", List.of(anonymous))).json()
                .get("field").asString()).isEqualTo("reports[0].rolloutId");
        assertThat(gateway().post("/api/v1/rollouts/health", Map.of("reports", List.of())).json().get("field")
                .asString()).isEqualTo("reports");
        assertThat(userWith("VIEWER").post("/api/v1/rollouts/health", Map.of("reports",
                List.of(healthy(ids.get(0))))).status()).isEqualTo(403);
        assertThat(reportsOf(ids.get(0))).isZero();
    }

    @Test
    void batchedReportsAreJudgedAsSingleOnesAndAdvanceTheRollouts() throws Exception {
        List<String> ids = twoRollouts(Map.of("intervalSeconds", 1, "successfulIntervals", 1));

        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && ids.stream().anyMatch(id -> stepOf(id) == 0)) {
            ok(gateway().post("/api/v1/rollouts/health", Map.of("reports", ids.stream()
                    .map(HealthBatchIT::healthy).toList())), 200);
            Thread.sleep(200);
        }

        assertThat(ids).allSatisfy(id -> assertThat(stepOf(id)).as(id).isEqualTo(1));
        assertThat(ids).allSatisfy(id -> assertThat(auditCount("rollout.advanced", id)).isEqualTo(1));
    }

    private int stepOf(String rolloutId) {
        JsonNode r = ok(engineer().get("/api/v1/rollouts/" + rolloutId), 200).json();
        return "COMPLETED".equals(r.get("phase").asString()) ? 1 : r.get("stepIndex").asInt();
    }
}
