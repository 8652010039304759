package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Evidence that changes under live traffic: an approval is judged again whenever its evidence or its
 * policy changes. Still passing, it stays APPROVED on the new evidence; failing, it LAPSES, the
 * deployment reports the backend as serving without a valid approval, a lapsed canary rolls back,
 * and under {@code onLapse: rollback} a lapsed stable backend gives way to the previous one.
 */
class ApprovalLapseIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("standard", "default", true));

    @Test
    void newEvidenceThatStillPassesKeepsTheApprovalApprovedOnTheNewEvidence() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String v = variant(model, "int8-dynamic");
        String approvalId = makeStable(d, v, "production", "standard").get("approvalId").asString();
        JsonNode before = approval(approvalId);

        addBenchmark(v, 2.0);

        JsonNode after = approval(approvalId);
        assertThat(after.get("status").asString()).isEqualTo("APPROVED");
        assertThat(after.get("evidenceUpdatedAt").isNull()).isFalse();
        assertThat(after.get("evidenceDigest").asString()).isNotEqualTo(before.get("evidenceDigest").asString());
        assertThat(after.get("evidence").get("benchmarkIds")).hasSize(1);
        assertThat(auditCount("approval.evidence-updated", approvalId)).isEqualTo(1);
        assertThat(servingWithoutValidApproval(d)).isEmpty();
        // Another step under the same approval is still allowed.
        String next = variant(model, "int8-dynamic");
        assertThat(startRollout(d, next, "production", "standard", List.of(100)).status()).isEqualTo(201);
    }

    @Test
    void failingEvidenceLapsesTheApprovalAndTheServingBackendBecomesAnIncident() throws Exception {
        Model model = model("allowed");
        setPolicy(model, Map.of("minSpeedup", 1.5));
        String d = deployment(model, TIERS);
        String v = benchmarkedVariant(model, 2.0);
        String approvalId = makeStable(d, v, "production", "standard").get("approvalId").asString();

        addBenchmark(v, 1.0);

        JsonNode lapsed = approval(approvalId);
        assertThat(lapsed.get("status").asString()).isEqualTo("LAPSED");
        assertThat(lapsed.get("lapsedChecks").toString()).contains("minSpeedup");
        assertThat(lapsed.get("statusReason").asString()).contains("new evidence").contains("minSpeedup");
        assertThat(auditCount("approval.lapsed", approvalId)).isEqualTo(1);
        JsonNode incidents = servingWithoutValidApproval(d);
        assertThat(incidents).hasSize(1);
        assertThat(incidents.get(0).get("role").asString()).isEqualTo("stable");
        assertThat(incidents.get(0).get("approvalStatus").asString()).isEqualTo("LAPSED");
        assertThat(incidents.get(0).get("backend").get("id").asString()).isEqualTo(v);
        assertThat(incidents.get(0).get("environment").asString()).isEqualTo("production");
        // The policy says alert (its default): the backend keeps serving, and the incident stays open.
        Thread.sleep(2500);
        assertThat(weights(routing(d, "production"), "standard")).containsExactly(Map.entry(v, 100));
        assertThat(servingWithoutValidApproval(d)).hasSize(1);
        // A lapsed approval lets nothing else through.
        HttpApi.Reply reuse = engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of("variantId", v,
                "environment", "production", "tier", "standard", "approvalId", approvalId));
        assertThat(reuse.status()).as(reuse.body()).isEqualTo(409);
    }

    @Test
    void aPolicyChangeThatFailsTheVerdictLapsesTheApproval() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String v = variant(model, "int8-dynamic");
        String approvalId = makeStable(d, v, "production", "standard").get("approvalId").asString();

        setPolicy(model, Map.of("minSpeedup", 1.5));

        JsonNode lapsed = approval(approvalId);
        assertThat(lapsed.get("status").asString()).isEqualTo("LAPSED");
        assertThat(lapsed.get("statusReason").asString()).contains("changed policy");
        assertThat(lapsed.get("lapsedChecks").toString()).contains("minSpeedup").contains("no benchmark yet");
        assertThat(servingWithoutValidApproval(d)).hasSize(1);
    }

    @Test
    void underOnLapseRollbackALapsedStableBackendGivesWayToThePreviousOne() {
        Model model = model("allowed");
        setPolicy(model, Map.of("minSpeedup", 1.5, "onLapse", "rollback"));
        assertThat(ok(engineer().get("/api/v1/models/" + model.name() + "/policy"), 200).json().get("onLapse")
                .asString()).isEqualTo("rollback");
        String d = deployment(model, TIERS);
        String first = benchmarkedVariant(model, 2.0);
        makeStable(d, first, "production", "standard");
        String second = benchmarkedVariant(model, 2.0);
        JsonNode replaced = ok(startRollout(d, second, "production", "standard", List.of(100)), 201).json();
        assertThat(weights(routing(d, "production"), "standard")).containsExactly(Map.entry(second, 100));

        addBenchmark(second, 1.0);

        Eventually.eventually(Duration.ofSeconds(15), () -> weights(routing(d, "production"), "standard"),
                w -> w.equals(Map.of(first, 100)), "the tier to return to the first variant");
        assertThat(servingWithoutValidApproval(d)).isEmpty();
        String details = jdbc.queryForObject("select details from audit_event where action = 'rollout.reverted'"
                + " and details like ?", String.class, "%" + replaced.get("id").asString() + "%");
        assertThat(details).contains(replaced.get("approvalId").asString()).contains("v-" + first);
        JsonNode history = ok(engineer().get("/api/v1/deployments/" + d + "/history?at=" + Instant.now()), 200)
                .json();
        assertThat(history.toString()).contains(first);
    }

    @Test
    void aLapsedCanaryRollsBackEvenWhenThePolicyOnlyAlerts() throws Exception {
        Model model = model("allowed");
        setPolicy(model, Map.of("minSpeedup", 1.5));
        String d = deployment(model, TIERS);
        String stable = benchmarkedVariant(model, 2.0);
        makeStable(d, stable, "production", "standard");
        String canary = benchmarkedVariant(model, 2.0);
        String rolloutId = ok(startRollout(d, canary, "production", "standard", List.of(5, 100)), 201).json()
                .get("id").asString();

        addBenchmark(canary, 1.0);

        JsonNode rolledBack = awaitPhase(rolloutId, "ROLLED_BACK");
        assertThat(rolledBack.get("reason").asString()).contains("lapsed");
        assertThat(weights(routing(d, "production"), "standard")).containsExactly(Map.entry(stable, 100));
        assertThat(servingWithoutValidApproval(d)).isEmpty();
    }

    private void setPolicy(Model model, Map<String, Object> policy) {
        ok(admin().put("/api/v1/models/" + model.name() + "/policy", policy), 200);
    }

    /** A new variant of the model with a benchmark that measured this speed-up. */
    private String benchmarkedVariant(Model model, double speedup) {
        String variant = variant(model, "int8-dynamic");
        addBenchmark(variant, speedup);
        return variant;
    }

    private JsonNode approval(String id) {
        return ok(engineer().get("/api/v1/approvals/" + id), 200).json();
    }

    private JsonNode servingWithoutValidApproval(String deployment) {
        return ok(engineer().get("/api/v1/deployments/" + deployment), 200).json().get("servingWithoutValidApproval");
    }
}
