package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Canary analysis over real HTTP, with the real judge ticking: one-second intervals judged from
 * the gateways' health reports advance, wait, or roll a rollout back; a person's advance waits for
 * the analysis unless forced with a reason.
 */
class RolloutAnalysisIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("standard", "default", true));
    private static final Map<String, Object> HEALTHY = Map.of("errorRate", 0.001, "p99LatencyMs", 40.0,
            "qualityProxy", 0.98, "requests", 200);

    private HttpApi gateway;

    private HttpApi gateway() {
        if (gateway == null) {
            gateway = userWith("GATEWAY");
        }
        return gateway;
    }

    /** A deployment whose standard tier has a stable backend, and a candidate variant with its approval. */
    private record Scene(String deployment, String stable, String candidate) {
    }

    private Scene scene() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String stable = variant(model, "int8-dynamic");
        makeStable(d, stable, "production", "standard");
        return new Scene(d, stable, variant(model, "int8-dynamic"));
    }

    private String start(Scene s, List<Integer> steps, Map<String, Object> analysis) {
        return ok(startRollout(s.deployment(), s.candidate(), "production", "standard", steps, "analysis", analysis),
                201).json().get("id").asString();
    }

    private JsonNode get(String id) {
        return ok(engineer().get("/api/v1/rollouts/" + id), 200).json();
    }

    /** Sends healthy reports every 200 ms until the rollout satisfies {@code done} (at most 30 s). */
    private JsonNode reportHealthyUntil(String id, Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode r = get(id);
        while (!done.test(r) && System.nanoTime() < deadline) {
            // As a gateway reporting often would: no rollout in the answer (RFC 7240), the report still counts.
            HttpApi.Reply stored = gateway().post("/api/v1/rollouts/" + id + "/health", HEALTHY,
                    Map.of("Prefer", "return=minimal"));
            if (stored.status() == 409) {
                r = get(id);
                if (done.test(r)) {
                    break; // the analysis finished the rollout between our last look and this report
                }
            }
            assertThat(stored.status()).as(stored.body()).isEqualTo(204);
            assertThat(stored.header("Preference-Applied")).isEqualTo("return=minimal");
            Thread.sleep(200);
            r = get(id);
        }
        assertThat(done.test(r)).as(r.toString()).isTrue();
        return r;
    }

    /** Waits (without reporting) until the rollout satisfies {@code done} (at most 15 s). */
    private JsonNode await(String id, Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode r = get(id);
        while (!done.test(r) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = get(id);
        }
        assertThat(done.test(r)).as(r.toString()).isTrue();
        return r;
    }

    private List<String> outcomes(String id, int stepIndex) {
        return jdbc.queryForList("select outcome from analysis_interval where rollout_id = ?::uuid and step_index = ?"
                + " order by started_at", String.class, id, stepIndex);
    }

    /** The current step's judged interval that ended at {@code end}, or null. */
    private static JsonNode ending(JsonNode rollout, String end) {
        for (JsonNode i : step(rollout).get("intervals")) {
            if (i.get("end").asString().equals(end)) {
                return i;
            }
        }
        return null;
    }

    private static JsonNode step(JsonNode rollout) {
        return rollout.get("analysis").get("currentStep");
    }

    @Test
    void healthyIntervalsAdvanceEachStepByItselfAfterTheNeededPassesAndTheLastStepCompletes() throws Exception {
        Scene s = scene();
        String id = start(s, List.of(5, 25, 100), Map.of("intervalSeconds", 1, "successfulIntervals", 2));
        JsonNode started = get(id);
        assertThat(started.get("analysis").get("intervalSeconds").asInt()).isEqualTo(1);
        assertThat(started.get("analysis").get("autoAdvance").asBoolean()).isTrue();
        assertThat(started.get("analysis").get("thresholds").get("minRequests").asInt()).isEqualTo(1);
        assertThat(step(started).get("needed").asInt()).isEqualTo(2);
        assertThat(step(started).get("passed").asBoolean()).isFalse();

        JsonNode done = reportHealthyUntil(id, r -> "COMPLETED".equals(r.get("phase").asString()));

        assertThat(weights(routing(s.deployment(), "production"), "standard"))
                .containsExactly(Map.entry(s.candidate(), 100));
        for (int stepIndex : List.of(0, 1)) {
            List<String> outcomes = outcomes(id, stepIndex);
            assertThat(outcomes).as("step %d", stepIndex).endsWith("PASSED", "PASSED").doesNotContain("FAILED");
        }
        assertThat(done.get("forcedAdvances")).isEmpty();
        assertThat(auditCount("rollout.advanced", id)).isEqualTo(2);
        List<String> details = jdbc.queryForList("select details from audit_event where action = 'rollout.advanced'"
                + " and subject_id = ?", String.class, id);
        assertThat(details).allSatisfy(d -> assertThat(d).contains("\"automatic\":true", "analysisIntervalId",
                "\"analysisData\":{", "\"reports\":"));
        // Reports are data, judged per interval; the audit log records the moves they led to, not each report.
        assertThat(auditCount("rollout.health-reported", id)).isZero();
        assertThat(auditCount("rollout.completed", id)).isEqualTo(1);
    }

    @Test
    void intervalsWithoutDataNeitherPassNorFailAndTheStepStays() throws Exception {
        Scene s = scene();
        String id = start(s, List.of(5, 100), Map.of("intervalSeconds", 1, "successfulIntervals", 1));

        JsonNode r = await(id, x -> step(x).get("intervals").size() >= 3);

        assertThat(r.get("phase").asString()).isEqualTo("PROGRESSING");
        assertThat(r.get("stepIndex").asInt()).isZero();
        assertThat(step(r).get("consecutivePasses").asInt()).isZero();
        assertThat(step(r).get("passed").asBoolean()).isFalse();
        assertThat(step(r).get("lastInterval").asString()).startsWith("no data");
        JsonNode interval = step(r).get("intervals").get(0);
        assertThat(interval.get("outcome").asString()).isEqualTo("NO_DATA");
        assertThat(interval.get("reasons").get(0).asString()).isEqualTo("no data: no health report");
        assertThat(interval.get("data").get("reports").asInt()).isZero();
        assertThat(Instant.parse(interval.get("end").asString()))
                .isEqualTo(Instant.parse(interval.get("start").asString()).plusSeconds(1));
        assertThat(outcomes(id, 0)).containsOnly("NO_DATA");
        assertThat(weights(routing(s.deployment(), "production"), "standard"))
                .containsExactly(Map.entry(s.stable(), 95), Map.entry(s.candidate(), 5));
    }

    @Test
    void tooFewRequestsAreNoDataAndReportsOfOneIntervalCombineWeightedByRequests() throws Exception {
        Scene s = scene();
        String id = start(s, List.of(5, 100), Map.of("intervalSeconds", 4, "successfulIntervals", 5, "thresholds",
                Map.of("maxErrorRate", 0.05, "minRequests", 50)));
        // Send both reports early in one interval, so they are judged together.
        JsonNode r = await(id, x -> Duration.between(Instant.now(),
                Instant.parse(step(x).get("intervalEndsAt").asString())).toMillis() > 2500);
        String endsAt = step(r).get("intervalEndsAt").asString();
        ok(gateway().post("/api/v1/rollouts/" + id + "/health", Map.of("errorRate", 0.5, "p99LatencyMs", 120.0,
                "requests", 1)), 200);
        ok(gateway().post("/api/v1/rollouts/" + id + "/health", Map.of("errorRate", 0.0, "p99LatencyMs", 30.0,
                "qualityProxy", 0.95, "requests", 99)), 200);

        JsonNode judged = await(id, x -> ending(x, endsAt) != null);
        JsonNode interval = ending(judged, endsAt);
        assertThat(interval.get("outcome").asString()).as(interval.toString()).isEqualTo("PASSED");
        assertThat(interval.get("data").get("reports").asInt()).isEqualTo(2);
        assertThat(interval.get("data").get("requests").asInt()).isEqualTo(100);
        assertThat(interval.get("data").get("errorRate").asDouble()).isCloseTo(0.005, within(1e-9));
        assertThat(interval.get("data").get("p99LatencyMs").asDouble()).isEqualTo(120.0);
        assertThat(interval.get("data").get("qualityProxy").asDouble()).isCloseTo(0.95, within(1e-9));

        // The next interval has one report for 10 requests: fewer than minRequests, so no data, not a failure.
        String nextEnd = Instant.parse(endsAt).plusSeconds(4).toString();
        ok(gateway().post("/api/v1/rollouts/" + id + "/health", Map.of("errorRate", 0.9, "requests", 10)), 200);
        JsonNode later = await(id, x -> step(x).get("consecutivePasses").asInt() == 0
                || "ROLLED_BACK".equals(x.get("phase").asString()));
        assertThat(later.get("phase").asString()).as(nextEnd).isEqualTo("PROGRESSING");
        assertThat(step(later).get("lastInterval").asString()).contains("fewer than minRequests 50");
    }

    @Test
    void aFailingIntervalRollsBackAutomaticallyWithAWebhook() throws Exception {
        Scene s = scene();
        // A subscriber, so the rollback is queued as a webhook event (nothing is queued for nobody).
        String hook = ok(engineer().post("/api/v1/webhooks", Map.of("url", "https://chat.example.com/hooks/canary",
                "events", List.of("rollout.rollback"))), 201).json().get("id").asString();
        String id = start(s, List.of(0, 50, 100), Map.of("intervalSeconds", 1));
        ok(gateway().post("/api/v1/rollouts/" + id + "/health", Map.of("errorRate", 0.3, "p99LatencyMs", 35.0,
                "qualityProxy", 0.99, "requests", 40)), 200);
        assertThat(get(id).get("phase").asString()).as("a report alone moves nothing").isEqualTo("PROGRESSING");

        JsonNode r = awaitPhase(id, "ROLLED_BACK");

        assertThat(r.get("reason").asString()).contains("canary analysis failed at step 1 (0%)",
                "errorRate 0.3 > maxErrorRate 0.01");
        assertThat(step(r).get("intervals").get(0).get("outcome").asString()).isEqualTo("FAILED");
        assertThat(weights(routing(s.deployment(), "production"), "standard"))
                .containsExactly(Map.entry(s.stable(), 100));
        String details = jdbc.queryForObject("select details from audit_event where action = 'rollout.rolled-back'"
                + " and subject_id = ?", String.class, id);
        // The evidence for the move is in the audit chain with it: the interval's combined figures.
        assertThat(details).contains("\"automatic\":true", "\"metric\":\"errorRate\"", "analysisIntervalId",
                "\"analysisData\":{", "\"requests\":40", "\"errorRate\":0.3");
        assertThat(jdbc.queryForObject("select count(*) from webhook_event where type = 'rollout.rollback'"
                + " and subject_id = ?", Long.class, id)).isEqualTo(1);
        ok(engineer().delete("/api/v1/webhooks/" + hook), 200);
    }

    @Test
    void withoutAutoAdvanceAPassedStepWaitsForAPersonWhoseAdvanceThenWorks() throws Exception {
        Scene s = scene();
        String id = start(s, List.of(5, 25, 100), Map.of("intervalSeconds", 1, "successfulIntervals", 1,
                "autoAdvance", false));

        reportHealthyUntil(id, r -> step(r).get("passed").asBoolean());
        // Intervals go on being judged (here without data) and the step keeps its pass, but does not move.
        JsonNode waiting = await(id, r -> "NO_DATA".equals(step(r).get("intervals").get(0).get("outcome")
                .asString()));
        assertThat(waiting.get("stepIndex").asInt()).isZero();
        assertThat(step(waiting).get("passed").asBoolean()).isTrue();

        JsonNode advanced = ok(move(id, "advance"), 200).json();

        assertThat(advanced.get("stepIndex").asInt()).isEqualTo(1);
        assertThat(step(advanced).get("consecutivePasses").asInt()).isZero();
        assertThat(step(advanced).get("passed").asBoolean()).isFalse();
        assertThat(advanced.get("forcedAdvances")).isEmpty();
        assertThat(jdbc.queryForObject("select details from audit_event where action = 'rollout.advanced'"
                + " and subject_id = ?", String.class, id)).contains("\"automatic\":false", "\"forced\":false");
    }

    @Test
    void aManualAdvanceBeforeTheAnalysisPassedIsRefusedNamingWhatIsMissing() throws Exception {
        Scene s = scene();
        String id = start(s, List.of(5, 25, 100), Map.of("intervalSeconds", 1));

        HttpApi.Reply early = move(id, "advance");
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.isProblem()).isTrue();
        assertThat(early.json().get("detail").asString())
                .contains("step 1 (5%) has 0 of 2 passing intervals; last interval: none judged yet");

        await(id, r -> step(r).get("intervals").size() >= 1);
        HttpApi.Reply refused = move(id, "advance");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asString())
                .contains("step 1 (5%) has 0 of 2 passing intervals; last interval: no data");
        assertThat(get(id).get("stepIndex").asInt()).isZero();
    }

    @Test
    void aForcedAdvanceNeedsAReasonAndIsAuditedAndShown() {
        Scene s = scene();
        String id = start(s, List.of(5, 25, 100), Map.of());

        HttpApi.Reply noReason = engineer().post("/api/v1/rollouts/" + id + "/advance", Map.of("force", true));
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.json().get("field").asString()).isEqualTo("reason");
        HttpApi.Reply blank = engineer().post("/api/v1/rollouts/" + id + "/advance", Map.of("force", true,
                "reason", "  "));
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.json().get("field").asString()).isEqualTo("reason");
        assertThat(get(id).get("stepIndex").asInt()).isZero();

        JsonNode forced = ok(engineer().post("/api/v1/rollouts/" + id + "/advance", Map.of("force", true,
                "reason", "load test traffic only; metrics reviewed by hand")), 200).json();

        assertThat(forced.get("stepIndex").asInt()).isEqualTo(1);
        JsonNode record = forced.get("forcedAdvances").get(0);
        assertThat(record.get("fromPercent").asInt()).isEqualTo(5);
        assertThat(record.get("toPercent").asInt()).isEqualTo(25);
        assertThat(record.get("reason").asString()).isEqualTo("load test traffic only; metrics reviewed by hand");
        assertThat(record.get("missing").asString()).contains("0 of 2 passing intervals");
        assertThat(record.get("by").asString()).startsWith("u-");
        assertThat(get(id).get("forcedAdvances")).hasSize(1);
        assertThat(auditCount("rollout.force-advanced", id)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select details from audit_event where action = 'rollout.force-advanced'"
                + " and subject_id = ?", String.class, id)).contains("\"forced\":true",
                        "load test traffic only; metrics reviewed by hand", "0 of 2 passing intervals");
        assertThat(weights(routing(s.deployment(), "production"), "standard"))
                .containsExactly(Map.entry(s.stable(), 75), Map.entry(s.candidate(), 25));
    }

    @Test
    void badAnalysesMetricsAndReportsAreRefusedNamingTheirFieldAndWriteNothing() {
        Scene s = scene();
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {Map.of("intervalSeconds", 0), "analysis.intervalSeconds"});
        cases.add(new Object[] {Map.of("intervalSeconds", 86_401), "analysis.intervalSeconds"});
        cases.add(new Object[] {Map.of("successfulIntervals", 0), "analysis.successfulIntervals"});
        cases.add(new Object[] {Map.of("thresholds", Map.of("maxErrorRate", 2)), "analysis.thresholds.maxErrorRate"});
        cases.add(new Object[] {Map.of("thresholds", Map.of("maxP99LatencyMs", 0)),
                "analysis.thresholds.maxP99LatencyMs"});
        cases.add(new Object[] {Map.of("thresholds", Map.of("minQualityProxy", -1)),
                "analysis.thresholds.minQualityProxy"});
        cases.add(new Object[] {Map.of("thresholds", Map.of("minRequests", 0)), "analysis.thresholds.minRequests"});
        for (Object[] c : cases) {
            HttpApi.Reply refused = startRollout(s.deployment(), s.candidate(), "production", "standard",
                    List.of(5, 100), "analysis", c[0]);
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.isProblem()).isTrue();
            assertThat(refused.json().get("field").asString()).isEqualTo(c[1]);
        }
        HttpApi.Reply twice = startRollout(s.deployment(), s.candidate(), "production", "standard", List.of(5, 100),
                "analysis", Map.of("thresholds", Map.of()), "thresholds", Map.of());
        assertThat(twice.json().get("field").asString()).isEqualTo("thresholds");
        HttpApi.Reply legacy = startRollout(s.deployment(), s.candidate(), "production", "standard",
                List.of(5, 100), "thresholds", Map.of("minRequests", -3));
        assertThat(legacy.json().get("field").asString()).isEqualTo("thresholds.minRequests");
        assertThat(jdbc.queryForObject("select count(*) from rollout where variant_id = ?::uuid", Long.class,
                s.candidate())).isZero();

        Model model = model("allowed");
        List<Object[]> metrics = new ArrayList<>();
        metrics.add(new Object[] {Map.of("name", "err", "query", "up{cluster=\"{{canary}}\"}", "max", 1, "min", 0),
                "metrics[0].max"});
        metrics.add(new Object[] {Map.of("name", "err", "query", "up{cluster=\"{{canary}}\"}"), "metrics[0].max"});
        metrics.add(new Object[] {Map.of("name", "err", "max", 1), "metrics[0].query"});
        metrics.add(new Object[] {Map.of("name", "err", "query", "up", "max", 1), "metrics[0].query"});
        metrics.add(new Object[] {Map.of("name", "9 bad", "query", "up{cluster=\"{{canary}}\"}", "max", 1),
                "metrics[0].name"});
        for (Object[] c : metrics) {
            HttpApi.Reply refused = engineer().post("/api/v1/deployments", Map.of("name", unique("d"), "modelName",
                    model.name(), "environments", List.of("production"), "tiers", TIERS, "metrics", List.of(c[0])));
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.json().get("field").asString()).isEqualTo(c[1]);
        }
        HttpApi.Reply duplicate = engineer().post("/api/v1/deployments", Map.of("name", unique("d"), "modelName",
                model.name(), "environments", List.of("production"), "tiers", TIERS, "metrics", List.of(
                        Map.of("name", "err", "query", "a{c=\"{{canary}}\"}", "max", 1),
                        Map.of("name", "err", "query", "b{c=\"{{canary}}\"}", "min", 1))));
        assertThat(duplicate.json().get("field").asString()).isEqualTo("metrics[1].name");
        JsonNode defined = ok(engineer().post("/api/v1/deployments", Map.of("name", unique("d"), "modelName",
                model.name(), "environments", List.of("production"), "tiers", TIERS, "metrics", List.of(
                        Map.of("name", "err", "query", "a{c=\"{{canary}}\"}", "max", 0.01)))), 201).json();
        assertThat(defined.get("metrics").get(0).get("max").asDouble()).isEqualTo(0.01);
        assertThat(ok(engineer().get("/api/v1/deployments/" + defined.get("name").asString()), 200).json()
                .get("metrics").get(0).get("query").asString()).isEqualTo("a{c=\"{{canary}}\"}");

        String id = start(s, List.of(5, 100), Map.of());
        HttpApi.Reply negative = gateway().post("/api/v1/rollouts/" + id + "/health", Map.of("errorRate", 0.0,
                "requests", -1));
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().get("field").asString()).isEqualTo("requests");
        assertThat(jdbc.queryForObject("select count(*) from rollout_health where rollout_id = ?::uuid", Long.class,
                id)).isZero();
    }
}
