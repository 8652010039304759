package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.Bodies;
import io.qreg.registry.job.TestWorker;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * Models, variants, deployments and approvals for the deployment, rollout and routing tests.
 * Variants are produced through the real worker protocol (submit a QUANTIZE job, claim it, post a
 * SUCCEEDED result with the artifact) with job/TestWorker.
 */
public abstract class RolloutTestSupport extends IntegrationTest {

    /** A model with one checkpoint whose licence allows (or forbids) redistribution. */
    public record Model(String name, String checkpointId) {
    }

    private static final Map<String, String> RECIPES = new HashMap<>();
    private static HttpApi engineer;
    private static TestWorker worker;

    protected RolloutTestSupport() {
    }

    /**
     * These helpers for a test that cannot extend this class (a browser test), against the registry on that port:
     * no foreign jobs queued, as before each test here.
     */
    protected RolloutTestSupport(int port, JdbcTemplate jdbc) {
        this.port = port;
        this.jdbc = jdbc;
        noForeignJobsQueued();
    }

    @BeforeEach
    void noForeignJobsQueued() {
        // The queue is shared with other test classes: a job they left queued would be claimed here.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now(), worker_id = null,"
                + " lease_expires_at = null where status in ('QUEUED', 'RUNNING')");
    }

    protected HttpApi engineer() {
        if (engineer == null) {
            engineer = userWith("ENGINEER");
        }
        return engineer;
    }

    protected static HttpApi.Reply ok(HttpApi.Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        return reply;
    }

    protected Model model(String redistribution) {
        String name = unique("m");
        ok(admin().post("/api/v1/models", Map.of("name", name, "task", "classification", "owner", "ml")), 201);
        String checkpoint = ok(admin().upload("/api/v1/models/" + name + "/checkpoints",
                Map.of("version", "1.0.0", "license", "internal-only".equals(redistribution) ? "LicenseRef-Proprietary"
                        : "Apache-2.0", "redistribution", redistribution),
                Fixtures.bytes("digits_mlp.onnx"), "digits_mlp.onnx"), 201).json().get("id").asString();
        // An empty policy checks nothing, so these evidence-free variants may be put up for approval.
        ok(admin().put("/api/v1/models/" + name + "/policy", Map.of()), 200);
        return new Model(name, checkpoint);
    }

    /** A variant of the model quantized with {@code method}, produced through the worker protocol. */
    protected String variant(Model model, String method) {
        String recipe = RECIPES.computeIfAbsent(method, m -> {
            String name = unique("r-" + m);
            ok(admin().post("/api/v1/recipes", Map.of("name", name, "method", m)), 201);
            return name;
        });
        // force: each call is a new variant (its own bytes), not the identical earlier run's.
        String jobId = ok(engineer().post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId",
                model.checkpointId(), "recipe", Map.of("name", recipe, "version", 1), "force", true)), 202).json().get("id")
                .asString();
        TestWorker worker = worker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        return ok(worker.result(jobId, claimed.get("attempt").asInt(), "SUCCEEDED", Map.of(),
                (method + "-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)), 200).json().get("variantId")
                .asString();
    }

    private TestWorker worker() {
        if (worker == null) {
            worker = TestWorker.register(userWith("WORKER"), Map.of(), List.of());
        }
        return worker;
    }

    /** A deployment of the model in staging and production with the given tiers. */
    protected String deployment(Model model, List<Map<String, Object>> tiers) {
        String name = unique("d");
        ok(engineer().post("/api/v1/deployments", Map.of("name", name, "modelName", model.name(),
                "environments", List.of("staging", "production"), "tiers", tiers)), 201);
        return name;
    }

    /** A deployment of the model with a single tier, {@code default}, that is the default. */
    protected String defaultTierDeployment(Model model) {
        return deployment(model, List.of(tier("default", "default", true)));
    }

    /** A variant with an approval to serve in a deployment's production default tier. */
    protected record ApprovedVariant(String variant, String deployment, UUID approval) {
    }

    /** A new variant of the model, approved for production in a new {@link #defaultTierDeployment}. */
    protected ApprovedVariant approvedForDefaultTier(Model model) {
        String variant = variant(model, "int8-dynamic");
        String deployment = defaultTierDeployment(model);
        return new ApprovedVariant(variant, deployment, approve(variant, deployment, "production", "default"));
    }

    protected static Map<String, Object> tier(String name, Object... extra) {
        return Bodies.with(Map.of("name", name), extra);
    }

    /**
     * A real approval: the engineer requests it and fresh people of each required role sign until it
     * is APPROVED. An approval already given for exactly this target is reused (one open request per target).
     */
    protected UUID approve(String variantId, String deployment, String environment, String tier) {
        return tryApprove(variantId, deployment, environment, tier).orElseThrow(() -> new AssertionError(
                "cannot request approval for " + variantId + " in " + deployment + "/" + environment + "/" + tier));
    }

    /** An approval for the target, or empty when the registry refuses to open one (e.g. a target that does not exist). */
    protected java.util.Optional<UUID> tryApprove(String variantId, String deployment, String environment,
            String tier) {
        return tryApprove("variantId", variantId, deployment, environment, tier);
    }

    /** A real approval for serving the model's checkpoint itself (FP32) in the target. */
    protected UUID approveCheckpoint(String checkpointId, String deployment, String environment, String tier) {
        return tryApprove("checkpointId", checkpointId, deployment, environment, tier).orElseThrow(
                () -> new AssertionError("cannot request approval for checkpoint " + checkpointId + " in "
                        + deployment + "/" + environment + "/" + tier));
    }

    /** {@code subjectField} is variantId or checkpointId. */
    protected java.util.Optional<UUID> tryApprove(String subjectField, String subjectId, String deployment,
            String environment, String tier) {
        HttpApi.Reply existing = engineer().get("/api/v1/approvals?status=APPROVED&" + subjectField + "=" + subjectId
                + "&deployment=" + deployment + "&environment=" + environment + "&tier=" + tier);
        if (existing.status() == 200 && !existing.json().get("items").isEmpty()) {
            return java.util.Optional.of(UUID.fromString(existing.json().get("items").get(0).get("id").asString()));
        }
        HttpApi.Reply requested = engineer().post("/api/v1/approvals", Map.of(subjectField, subjectId,
                "deployment", deployment, "environment", environment, "tier", tier));
        if (requested.status() != 201) {
            return java.util.Optional.empty();
        }
        JsonNode approval = requested.json();
        String id = approval.get("id").asString();
        for (JsonNode required : approval.get("requiredSignoffs")) {
            for (int i = 0; i < required.get("count").asInt(); i++) {
                approval = ok(userWith(required.get("role").asString()).post("/api/v1/approvals/" + id + "/signoffs",
                        Map.of("decision", "APPROVE", "comment", "reviewed")), 200).json();
            }
        }
        assertThat(approval.get("status").asString()).isEqualTo("APPROVED");
        return java.util.Optional.of(UUID.fromString(id));
    }

    /** The usernames that approved an approval, as a JSON array in signing order. */
    protected String signersOf(String approvalId) {
        List<String> signers = new java.util.ArrayList<>();
        ok(engineer().get("/api/v1/approvals/" + approvalId), 200).json().get("signoffs")
                .forEach(s -> signers.add(s.get("username").asString()));
        return HttpApi.JSON.writeValueAsString(signers);
    }

    /**
     * New evidence for the variant (a BENCHMARK job's result, a 2x speed-up), which the policy judges
     * again for every open approval of the variant.
     */
    protected void addEvidence(String variantId) {
        addBenchmark(variantId, 2.0);
    }

    /** A BENCHMARK result for the variant on hardware target 'any' measuring {@code speedup} over its checkpoint. */
    protected void addBenchmark(String variantId, double speedup) {
        String jobId = ok(engineer().post("/api/v1/jobs", Map.of("type", "BENCHMARK", "variantId", variantId)), 202)
                .json().get("id").asString();
        TestWorker worker = worker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        ok(worker.result(jobId, claimed.get("attempt").asInt(), "SUCCEEDED", Map.of("benchmark", Map.of("results",
                List.of(Map.of("model", "checkpoint", "latencyP50Ms", 2.0, "speedup", 1.0),
                        Map.of("model", "variant", "latencyP50Ms", 2.0 / speedup, "speedup", speedup)))), null),
                200);
    }

    protected HttpApi.Reply startRollout(String deployment, String variantId, String environment, String tier,
            List<Integer> steps, Object... extra) {
        Map<String, Object> request = new HashMap<>();
        request.put("variantId", variantId);
        request.put("environment", environment);
        request.put("tier", tier);
        request.put("steps", steps);
        // A target the registry will not approve still gets an approval id, so the rollout's own validation answers.
        request.put("approvalId", tryApprove(variantId, deployment, environment, tier).orElseGet(UUID::randomUUID)
                .toString());
        request.putAll(Bodies.of(extra));
        return engineer().post("/api/v1/deployments/" + deployment + "/rollouts", request);
    }

    /** Serves the model's checkpoint itself (FP32) in the tier, under a real approval of the checkpoint. */
    protected HttpApi.Reply startCheckpointRollout(String deployment, Model model, String environment, String tier,
            List<Integer> steps) {
        UUID approval = approveCheckpoint(model.checkpointId(), deployment, environment, tier);
        return engineer().post("/api/v1/deployments/" + deployment + "/rollouts", Map.of("checkpointId",
                model.checkpointId(), "environment", environment, "tier", tier, "steps", steps, "approvalId",
                approval.toString()));
    }

    /** Asks to serve the model's checkpoint in the tier in one step, naming no approval. */
    protected HttpApi.Reply startUnapprovedCheckpointRollout(String deployment, Model model, String environment,
            String tier) {
        return engineer().post("/api/v1/deployments/" + deployment + "/rollouts", Map.of("checkpointId",
                model.checkpointId(), "environment", environment, "tier", tier, "steps", List.of(100)));
    }

    /** Makes the variant the tier's stable backend (a rollout into an empty tier completes at once). */
    protected JsonNode makeStable(String deployment, String variantId, String environment, String tier) {
        JsonNode rollout = ok(startRollout(deployment, variantId, environment, tier, List.of(100)), 201).json();
        assertThat(rollout.get("phase").asString()).isEqualTo("COMPLETED");
        return rollout;
    }

    /** A 5 % canary over a stable backend in production's standard tier, both new int8 variants of the model. */
    protected record Canary(String stable, String canary, String rolloutId) {
    }

    /** Makes a new int8 variant the stable backend of production's standard tier, then starts a canary of another. */
    protected Canary canaryOverStable(String deployment, Model model) {
        String stable = variant(model, "int8-dynamic");
        makeStable(deployment, stable, "production", "standard");
        String canary = variant(model, "int8-dynamic");
        String rolloutId = ok(startRollout(deployment, canary, "production", "standard", List.of(5, 25, 100)), 201)
                .json().get("id").asString();
        return new Canary(stable, canary, rolloutId);
    }

    protected HttpApi.Reply move(String rolloutId, String action) {
        return engineer().post("/api/v1/rollouts/" + rolloutId + "/" + action, Map.of());
    }

    /**
     * Advances past the step's analysis with {@code force} and a reason: for tests about what an
     * advance does (weights, revisions, approvals), not about when the analysis allows it.
     */
    protected HttpApi.Reply forceAdvance(String rolloutId) {
        return engineer().post("/api/v1/rollouts/" + rolloutId + "/advance", Map.of("force", true, "reason",
                "test: moving the steps by hand"));
    }

    /** The rollout once it is in {@code phase}, waiting up to 15 s for the analysis judge to get it there. */
    protected JsonNode awaitPhase(String rolloutId, String phase) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        JsonNode rollout = ok(engineer().get("/api/v1/rollouts/" + rolloutId), 200).json();
        while (!phase.equals(rollout.get("phase").asString()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            rollout = ok(engineer().get("/api/v1/rollouts/" + rolloutId), 200).json();
        }
        assertThat(rollout.get("phase").asString()).as(rollout.toString()).isEqualTo(phase);
        return rollout;
    }

    protected JsonNode routing(String deployment, String environment) {
        return ok(engineer().get("/api/v1/routing/" + deployment + "?environment=" + environment), 200).json();
    }

    /** The rule of a tier in a routing document, or null when the document has none for it. */
    protected static JsonNode rule(JsonNode routing, String tier) {
        for (JsonNode rule : routing.get("rules")) {
            if (rule.get("name").asString().equals(tier)) {
                return rule;
            }
        }
        return null;
    }

    /** A tier's weights by variant id, as the routing document gives them. */
    protected static Map<String, Integer> weights(JsonNode routing, String tier) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        JsonNode rule = rule(routing, tier);
        if (rule != null) {
            rule.get("backends").forEach(b -> weights.put(b.get("variant").asString(), b.get("weight").asInt()));
        }
        return weights;
    }

    /** How many rollouts the deployment has had, in any phase. */
    protected long rolloutsOf(String deployment) {
        return jdbc.queryForObject("select count(*) from rollout r join deployment d on d.id = r.deployment_id"
                + " where d.name = ?", Long.class, deployment);
    }

    protected long auditCount(String action, String subjectId) {
        Long n = jdbc.queryForObject("select count(*) from audit_event where action = ? and subject_id = ?",
                Long.class, action, subjectId);
        return n == null ? 0 : n;
    }
}
