package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class RolloutIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("standard", "default", true),
            tier("premium", "precision", "fp32"));

    @Test
    void aRolloutIntoAnEmptyTierTakesAllTrafficAtOnceAndCompletes() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String v = variant(model, "int8-dynamic");

        JsonNode rollout = ok(startRollout(d, v, "production", "standard", List.of(5, 25, 100)), 201).json();

        assertThat(rollout.get("phase").asString()).isEqualTo("COMPLETED");
        assertThat(rollout.get("stepIndex").asInt()).isEqualTo(2);
        assertThat(rollout.get("percent").asInt()).isEqualTo(100);
        assertThat(rollout.get("steps").toString()).isEqualTo("[5,25,100]");
        assertThat(rollout.get("signedBy")).hasSize(1);
        assertThat(rollout.get("signedBy").toString()).isEqualTo(signersOf(rollout.get("approvalId").asString()));
        JsonNode routing = routing(d, "production");
        assertThat(weights(routing, "standard")).containsExactly(Map.entry(v, 100));
        JsonNode backend = rule(routing, "standard").get("backends").get(0);
        assertThat(backend.get("role").asString()).isEqualTo("stable");
        assertThat(backend.get("precision").asString()).isEqualTo("int8");
        assertThat(backend.get("sha256").asString()).hasSize(64);
        assertThat(routing.get("rollout").isNull()).isTrue();
        // Staging is untouched.
        assertThat(routing(d, "staging").get("rules").size()).isZero();
        String id = rollout.get("id").asString();
        assertThat(auditCount("rollout.started", id)).isEqualTo(1);
        assertThat(auditCount("rollout.completed", id)).isEqualTo(1);
        assertThat(RecordedRolloutEvents.of(id)).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("RolloutStarted", "RolloutCompleted");
    }

    @Test
    void aSteppedRolloutMovesTheWeightsAndTheRevisionAtEachStepAndEndsAsStable() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String first = variant(model, "int8-dynamic");
        String second = variant(model, "int8-dynamic");
        makeStable(d, first, "production", "standard");
        long revision = routing(d, "production").get("revision").asLong();

        JsonNode rollout = ok(startRollout(d, second, "production", "standard", List.of(5, 25, 100)), 201).json();
        String id = rollout.get("id").asString();
        assertThat(rollout.get("phase").asString()).isEqualTo("PROGRESSING");
        assertThat(rollout.get("stepIndex").asInt()).isZero();
        JsonNode routing = routing(d, "production");
        assertThat(weights(routing, "standard")).containsExactly(Map.entry(first, 95), Map.entry(second, 5));
        assertThat(routing.get("revision").asLong()).isEqualTo(revision + 1);
        assertThat(rule(routing, "standard").get("backends").get(1).get("role").asString()).isEqualTo("canary");
        assertThat(routing.get("rollout").get("id").asString()).isEqualTo(id);
        assertThat(routing.get("rollout").get("stepIndex").asInt()).isZero();

        JsonNode stepped = ok(forceAdvance(id), 200).json();
        assertThat(stepped.get("stepIndex").asInt()).isEqualTo(1);
        routing = routing(d, "production");
        assertThat(weights(routing, "standard")).containsExactly(Map.entry(first, 75), Map.entry(second, 25));
        assertThat(routing.get("revision").asLong()).isEqualTo(revision + 2);

        JsonNode done = ok(forceAdvance(id), 200).json();
        assertThat(done.get("phase").asString()).isEqualTo("COMPLETED");
        routing = routing(d, "production");
        assertThat(weights(routing, "standard")).containsExactly(Map.entry(second, 100));
        assertThat(routing.get("revision").asLong()).isEqualTo(revision + 3);
        assertThat(routing.get("rollout").isNull()).isTrue();
        assertThat(done.get("previous").get("id").asString()).isEqualTo(first);

        HttpApi.Reply again = move(id, "advance");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains("COMPLETED");
        assertThat(RecordedRolloutEvents.of(id)).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("RolloutStarted", "RolloutStepped", "RolloutStepped", "RolloutCompleted");
        RolloutEvent.RolloutStepped step = (RolloutEvent.RolloutStepped) RecordedRolloutEvents.of(id).get(1);
        assertThat(step.weights()).containsExactly(Map.entry("v-" + first, 75), Map.entry("v-" + second, 25));
        assertThat(step.deployment()).isEqualTo(d);
    }

    @Test
    void aShadowStepMirrorsTrafficWithWeightZero() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String stable = variant(model, "int8-dynamic");
        String candidate = variant(model, "fp16");
        makeStable(d, stable, "staging", "standard");

        ok(startRollout(d, candidate, "staging", "standard", List.of(0, 50, 100)), 201);

        JsonNode backends = rule(routing(d, "staging"), "standard").get("backends");
        assertThat(backends.get(0).get("weight").asInt()).isEqualTo(100);
        assertThat(backends.get(1).get("weight").asInt()).isZero();
        assertThat(backends.get(1).get("role").asString()).isEqualTo("shadow");
        assertThat(backends.get(1).get("precision").asString()).isEqualTo("fp16");
    }

    @Test
    void pauseHoldsTheRolloutUntilResumedAndAdvancingWhilePausedConflicts() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String id = canaryOverStable(d, model).rolloutId();

        assertThat(ok(move(id, "pause"), 200).json().get("phase").asString()).isEqualTo("PAUSED");
        assertThat(routing(d, "production").get("rollout").get("phase").asString()).isEqualTo("PAUSED");
        HttpApi.Reply advance = move(id, "advance");
        assertThat(advance.status()).isEqualTo(409);
        assertThat(advance.isProblem()).isTrue();
        assertThat(advance.json().get("detail").asString()).contains("PAUSED");
        assertThat(move(id, "pause").status()).isEqualTo(409);
        assertThat(ok(engineer().get("/api/v1/rollouts/" + id), 200).json().get("stepIndex").asInt()).isZero();

        assertThat(ok(move(id, "resume"), 200).json().get("phase").asString()).isEqualTo("PROGRESSING");
        assertThat(move(id, "resume").status()).isEqualTo(409);
        assertThat(ok(forceAdvance(id), 200).json().get("stepIndex").asInt()).isEqualTo(1);
    }

    @Test
    void aManualRollbackSkipsTheRemainingStepsAndRestoresThePreviousWeights() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String stable = variant(model, "int8-dynamic");
        makeStable(d, stable, "production", "standard");
        JsonNode before = routing(d, "production");
        String id = ok(startRollout(d, variant(model, "int8-dynamic"), "production", "standard",
                List.of(5, 25, 100)), 201).json().get("id").asString();
        ok(forceAdvance(id), 200);

        JsonNode rolledBack = ok(engineer().post("/api/v1/rollouts/" + id + "/rollback",
                Map.of("reason", "latency regression seen on dashboards")), 200).json();

        assertThat(rolledBack.get("phase").asString()).isEqualTo("ROLLED_BACK");
        assertThat(rolledBack.get("reason").asString()).isEqualTo("latency regression seen on dashboards");
        JsonNode after = routing(d, "production");
        assertThat(after.get("rules")).isEqualTo(before.get("rules"));
        assertThat(weights(after, "standard")).containsExactly(Map.entry(stable, 100));
        assertThat(after.get("revision").asLong()).isEqualTo(before.get("revision").asLong() + 3);
        assertThat(move(id, "rollback").status()).isEqualTo(409);
        assertThat(move(id, "resume").status()).isEqualTo(409);
        assertThat(auditCount("rollout.rolled-back", id)).isEqualTo(1);
    }

    @Test
    void aBreachingReportIsKeptAndItsIntervalRollsBackAutomatically() throws InterruptedException {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String stable = variant(model, "int8-dynamic");
        makeStable(d, stable, "production", "standard");
        String id = ok(startRollout(d, variant(model, "int4-weight"), "production", "standard", List.of(5, 100),
                "thresholds", Map.of("maxErrorRate", 0.05), "analysis", Map.of("intervalSeconds", 1)), 201).json()
                .get("id").asString();
        HttpApi gateway = userWith("GATEWAY");

        JsonNode healthy = ok(gateway.post("/api/v1/rollouts/" + id + "/health",
                Map.of("errorRate", 0.01, "p99LatencyMs", 40.0, "qualityProxy", 0.97)), 200).json();
        assertThat(healthy.get("phase").asString()).isEqualTo("PROGRESSING");
        assertThat(healthy.get("thresholds").get("maxErrorRate").asDouble()).isEqualTo(0.05);
        assertThat(healthy.get("analysis").get("thresholds").get("maxErrorRate").asDouble()).isEqualTo(0.05);
        assertThat(healthy.get("thresholds").get("maxP99LatencyMs").asDouble())
                .isEqualTo(Thresholds.DEFAULTS.maxP99LatencyMs());

        JsonNode reported = ok(gateway.post("/api/v1/rollouts/" + id + "/health",
                Map.of("errorRate", 0.2, "p99LatencyMs", 45.0, "requests", 100)), 200).json();
        // A report moves nothing by itself: its interval is judged when it ends.
        assertThat(reported.get("healthReports").get(0).get("breaches").get(0).get("metric").asString())
                .isEqualTo("errorRate");

        JsonNode breached = awaitPhase(id, "ROLLED_BACK");
        assertThat(breached.get("reason").asString()).contains("errorRate", "> maxErrorRate 0.05");
        assertThat(weights(routing(d, "production"), "standard")).containsExactly(Map.entry(stable, 100));
        assertThat(breached.get("healthReports").size()).isEqualTo(2);
        String details = jdbc.queryForObject("select details from audit_event where action = 'rollout.rolled-back'"
                + " and subject_id = ?", String.class, id);
        assertThat(details).contains("\"automatic\":true", "\"metric\":\"errorRate\"", "analysisIntervalId");
        RolloutEvent.RolloutRolledBack event = (RolloutEvent.RolloutRolledBack) RecordedRolloutEvents.of(id)
                .get(RecordedRolloutEvents.of(id).size() - 1);
        assertThat(event.automatic()).isTrue();
        assertThat(event.breachedMetric()).isEqualTo("errorRate");
        assertThat(event.weights()).containsExactly(Map.entry("v-" + stable, 100));

        HttpApi.Reply late = gateway.post("/api/v1/rollouts/" + id + "/health", Map.of("errorRate", 0.0));
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("detail").asString()).contains("ROLLED_BACK");
        HttpApi.Reply bad = engineer().post("/api/v1/rollouts/" + id + "/health", Map.of("errorRate", 3));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asString()).isEqualTo("errorRate");
    }

    @Test
    void anEdgeTierRefusesAVariantOfAnInternalOnlyCheckpoint() {
        Model internal = model("internal-only");
        String d = deployment(internal, List.of(tier("standard", "default", true), tier("edge", "edge", true)));
        String v = variant(internal, "int8-dynamic");

        HttpApi.Reply refused = startRollout(d, v, "production", "edge", List.of(100));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().get("detail").asString()).contains("LicenseRef-Proprietary", "internal-only");
        assertThat(rule(routing(d, "production"), "edge")).isNull();
        assertThat(rolloutsOf(d)).isZero();
        // The same variant may serve a tier whose weights stay in the data centre.
        ok(startRollout(d, v, "production", "standard", List.of(100)), 201);
    }

    @Test
    void anApprovalThatIsNotValidForTheTargetIsRefusedAndNothingIsWritten() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String v = variant(model, "int8-dynamic");
        long revisions = jdbc.queryForObject("select count(*) from routing_revision", Long.class);

        HttpApi.Reply unknown = engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of("variantId", v,
                "environment", "production", "tier", "standard", "steps", List.of(100), "approvalId",
                UUID.randomUUID().toString()));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asString()).contains("approval", "does not exist");

        UUID forStaging = approve(v, d, "staging", "standard");
        HttpApi.Reply wrongTarget = engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of("variantId", v,
                "environment", "production", "tier", "standard", "steps", List.of(100), "approvalId",
                forStaging.toString()));
        assertThat(wrongTarget.status()).isEqualTo(409);

        HttpApi.Reply missing = engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of("variantId", v,
                "environment", "production", "tier", "standard"));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("field").asString()).isEqualTo("approvalId");
        assertThat(jdbc.queryForObject("select count(*) from routing_revision", Long.class)).isEqualTo(revisions);
        assertThat(jdbc.queryForObject("select count(*) from rollout where variant_id = ?::uuid", Long.class, v))
                .isZero();
    }

    @Test
    void everyAdvanceChecksTheApprovalAgain() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        makeStable(d, variant(model, "int8-dynamic"), "production", "standard");
        String candidate = variant(model, "int8-dynamic");
        UUID approval = approve(candidate, d, "production", "standard");
        String id = ok(engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of("variantId", candidate,
                "environment", "production", "tier", "standard", "steps", List.of(5, 25, 100), "approvalId",
                approval.toString())), 201).json().get("id").asString();
        // The approval no longer holds (here: its time ran out as if no rollout had used it); the next step asks again.
        jdbc.update("update approval set used_at = null, expires_at = now() - interval '1 minute' where id = ?",
                approval);

        HttpApi.Reply refused = forceAdvance(id);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asString()).contains("is EXPIRED");
        JsonNode unchanged = ok(engineer().get("/api/v1/rollouts/" + id), 200).json();
        assertThat(unchanged.get("stepIndex").asInt()).isZero();
        assertThat(unchanged.get("phase").asString()).isEqualTo("PROGRESSING");
    }

    @Test
    void badRolloutRequestsAreRefusedWithTheFieldToFix() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String v = variant(model, "int8-dynamic");
        assertField(startRollout(d, v, "production", "standard", List.of(5, 25)), 400, "steps");
        assertField(startRollout(d, v, "production", "standard", List.of(25, 5, 100)), 400, "steps");
        assertField(startRollout(d, v, "qa", "standard", List.of(100)), 404, "environment");
        assertField(startRollout(d, v, "production", "gold", List.of(100)), 404, "tier");
        assertField(startRollout(d, UUID.randomUUID().toString(), "production", "standard", List.of(100)), 404,
                "variantId");
        assertField(startRollout(d, v, "production", "premium", List.of(100)), 422, "variantId");
        assertField(startRollout(d, v, "production", "standard", List.of(100), "thresholds",
                Map.of("maxErrorRate", 2)), 400, "thresholds.maxErrorRate");
        Model other = model("allowed");
        assertField(startRollout(d, variant(other, "int8-dynamic"), "production", "standard", List.of(100)), 422,
                "variantId");
        assertThat(engineer().post("/api/v1/deployments/no-such/rollouts", Map.of("variantId", v,
                "environment", "production", "tier", "standard", "approvalId", UUID.randomUUID().toString()))
                .status()).isEqualTo(404);
        assertThat(engineer().get("/api/v1/rollouts/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(move(UUID.randomUUID().toString(), "advance").status()).isEqualTo(404);
    }

    private static void assertField(HttpApi.Reply reply, int status, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo(field);
    }

    @Test
    void theFp32CheckpointServesAFullPrecisionTierOnlyUnderAnApprovalOfTheCheckpoint() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        HttpApi.Reply unapproved = startUnapprovedCheckpointRollout(d, model, "production", "premium");
        assertField(unapproved, 400, "approvalId");
        assertThat(rule(routing(d, "production"), "premium")).isNull();

        JsonNode rollout = ok(startCheckpointRollout(d, model, "production", "premium", List.of(100)), 201).json();

        assertThat(rollout.get("phase").asString()).isEqualTo("COMPLETED");
        assertThat(rollout.get("checkpointId").asString()).isEqualTo(model.checkpointId());
        assertThat(rollout.get("signedBy")).isNotEmpty();
        JsonNode backend = rule(routing(d, "production"), "premium").get("backends").get(0);
        assertThat(backend.get("source").asString()).isEqualTo("checkpoint");
        assertThat(backend.get("precision").asString()).isEqualTo("fp32");
        assertThat(backend.get("variant").asString()).isEqualTo(model.checkpointId());
        assertThat(backend.get("cluster").asString()).isEqualTo("cp-" + model.checkpointId());
        HttpApi.Reply foreignApproval = engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of(
                "checkpointId", model.checkpointId(), "environment", "staging", "tier", "premium", "approvalId",
                UUID.randomUUID().toString()));
        assertThat(foreignApproval.status()).isEqualTo(404);
    }

    @Test
    void concurrentStartsInOneTierLeaveExactlyOneActiveRollout() throws Exception {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        makeStable(d, variant(model, "int8-dynamic"), "production", "standard");
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            candidates.add(variant(model, "int8-dynamic"));
        }
        CyclicBarrier start = new CyclicBarrier(candidates.size());
        ExecutorService pool = Executors.newFixedThreadPool(candidates.size());
        try {
            List<Future<Integer>> replies = new ArrayList<>();
            for (String candidate : candidates) {
                replies.add(pool.submit(() -> {
                    start.await();
                    return startRollout(d, candidate, "production", "standard", List.of(5, 100)).status();
                }));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : replies) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.queryForObject("select count(*) from rollout r join deployment d on d.id = r.deployment_id"
                + " where d.name = ? and r.phase = 'PROGRESSING'", Long.class, d)).isEqualTo(1);
        assertThat(rule(routing(d, "production"), "standard").get("backends").size()).isEqualTo(2);
    }
}
