package io.qreg.registry.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.WorkingRegistry;
import io.qreg.registry.support.WorkingRegistryTest;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * QReg as a CI/CD pipeline meets it: the registry the README's run command starts (its own
 * embedded worker, nothing mocked: the shared {@link WorkingRegistry}) driven over HTTP by the pipeline script of
 * docs/ci-cd.md. What the tests create is named pipeline-*.
 */
class PipelineIT extends WorkingRegistryTest {

    /** The issue 5 flow's deployment. */
    private static final String DEPLOYMENT = "pipeline-support-intent";
    private static final Path SCRIPT = Path.of("..", "scripts", "qreg-ci.sh").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    /** The script's output and exit code. */
    record Run(int exitCode, String output) {
    }

    private Run pipeline(String token, String... args) throws IOException, InterruptedException {
        return pipeline(token, Map.of(), args);
    }

    private Run pipeline(String token, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        boolean tools = List.of("bash", "curl", "jq").stream().allMatch(PipelineIT::onPath);
        if (!tools && !"true".equalsIgnoreCase(System.getenv("CI"))) {
            Assumptions.abort("the pipeline script needs bash, curl and jq (.ci/run installs jq)");
        }
        Path out = dir.resolve("pipeline-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(concat("bash", SCRIPT.toString(), args))
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(Map.of("QREG_URL", registry.baseUrl(), "QREG_TOKEN", token,
                "QREG_LICENSE", "MIT", "QREG_POLL_SECONDS", "0.5", "QREG_TIMEOUT_SECONDS", "300"));
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(6, TimeUnit.MINUTES)).as("pipeline finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void thePipelineScriptPassesAVariantWithinPolicyAndFailsTheBuildOnTheCheckThatBreaks() throws Exception {
        String engineer = token("ENGINEER");
        assertThat(admin.post("/api/v1/models", Map.of("name", "pipeline-digits", "task", "classification",
                "riskTier", "standard")).status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "pipeline-int8", "method", "int8-dynamic")).status())
                .isEqualTo(201);
        assertThat(admin.upload("/api/v1/datasets", Map.of("name", "pipeline-digits-eval", "purpose", "evaluation"),
                Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"),
                        "labels.npy", Fixtures.bytes("digits_eval_y.npy"))), "eval.zip").status()).isEqualTo(201);
        Path onnx = dir.resolve("digits_mlp.onnx");
        Files.write(onnx, Fixtures.bytes("digits_mlp.onnx"));

        Run passed = pipeline(engineer, "pipeline-digits", "1.0.0", onnx.toString(), "pipeline-int8",
                "pipeline-digits-eval@1");
        assertThat(passed.exitCode()).as(passed.output()).isZero();
        assertThat(passed.output()).contains("checkpoint pipeline-digits@1.0.0 registered", "PASS  maxAccuracyDrop",
                "policy verdict: PASSED");

        // A stricter policy: the same build (same checkpoint, reused) now fails on the speed-up it cannot reach.
        assertThat(admin.put("/api/v1/models/pipeline-digits/policy", Map.of("maxAccuracyDrop", 0.05, "minSpeedup", 50))
                .status()).isEqualTo(200);
        Run failed = pipeline(engineer, "pipeline-digits", "1.0.0", onnx.toString(), "pipeline-int8", "--evaluation",
                "pipeline-digits-eval@1");
        assertThat(failed.exitCode()).as(failed.output()).isEqualTo(1);
        assertThat(failed.output()).contains("already registered", "FAIL  minSpeedup @any",
                "policy verdict: FAILED: minSpeedup");

        Run unknown = pipeline(engineer, "no-such-model", "1.0.0", onnx.toString(), "pipeline-int8",
                "pipeline-digits-eval@1");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).contains("404", "model 'no-such-model' does not exist");
    }

    /**
     * A static recipe needs its calibration set, named like the evaluation set; every argument and reference is
     * checked before the checkpoint is registered, so a refused run leaves no checkpoint and no job behind; in a
     * CI log (not a terminal) the progress is plain lines with rounded figures.
     */
    @Test
    void anInt8StaticRecipeRunsWithItsCalibrationSetAndARefusedRunRegistersNothing() throws Exception {
        String engineer = token("ENGINEER");
        ok(admin.post("/api/v1/models", Map.of("name", "pipeline-digits-static", "task", "classification",
                "riskTier", "standard")), 201);
        ok(admin.post("/api/v1/recipes", Map.of("name", "pipeline-static", "method", "int8-static", "calibrationMethod",
                "minmax")), 201);
        ok(admin.upload("/api/v1/datasets", Map.of("name", "pipeline-static-eval", "purpose", "evaluation"),
                Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"),
                        "labels.npy", Fixtures.bytes("digits_eval_y.npy"))), "eval.zip"), 201);
        ok(admin.upload("/api/v1/datasets", Map.of("name", "pipeline-static-calib", "purpose", "calibration"),
                Fixtures.bytes("digits_calib_x.npy"), "input.npy"), 201);
        Path onnx = dir.resolve("digits_static.onnx");
        Files.write(onnx, Fixtures.bytes("digits_mlp.onnx"));
        String model = "pipeline-digits-static";
        String file = onnx.toString();

        Map<List<String>, String> refusals = new java.util.LinkedHashMap<>();
        String recipe = "pipeline-static";
        String evaluation = "pipeline-static-eval@1";
        refusals.put(List.of(model, "1.0.0", file, recipe, "--evaluation", evaluation),
                "RECIPE pipeline-static@1 is int8-static, which computes activation ranges on calibration data:"
                        + " pass --calibration NAME@VERSION");
        refusals.put(List.of(model, "1.0.0", file, recipe, "--evaluation", evaluation, "--calibration",
                "pipeline-static-calib"), "--calibration 'pipeline-static-calib' is not NAME@VERSION");
        refusals.put(List.of(model, "1.0.0", file, recipe, "--evaluation", evaluation, "--calibration",
                "pipeline-static-calib@7"), "--calibration pipeline-static-calib@7: ");
        refusals.put(List.of(model, "1.0.0", file, recipe, "--evaluation", "pipeline-static-calib@1", "--calibration",
                "pipeline-static-calib@1"), "--evaluation pipeline-static-calib@1: the dataset has purpose"
                        + " 'calibration'; --evaluation needs purpose 'evaluation'");
        refusals.put(List.of(model, "1.0.0", file, "pipeline-static@2", "--evaluation", evaluation),
                "RECIPE pipeline-static@2: ");
        refusals.put(List.of(model, "1.0.0", file, recipe, "--evaluation", evaluation, "--calibration",
                "pipeline-static-calib@1", "--target", "no-such-cpu"), "--target no-such-cpu: no such hardware target");
        refusals.put(List.of(model, "1.0.0", dir.resolve("missing.onnx").toString(), recipe, "--evaluation",
                evaluation), "MODEL.onnx: no such readable file");
        refusals.put(List.of(model, "1.0.0", file, recipe, "--evaluation", evaluation, "--bogus"),
                "unknown option --bogus");
        for (var refusal : refusals.entrySet()) {
            long checkpoints = total("/api/v1/models/" + model + "/checkpoints");
            long jobs = total("/api/v1/jobs");
            Run refused = pipeline(engineer, refusal.getKey().toArray(String[]::new));
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
            assertThat(refused.output()).as(refusal.getKey().toString()).contains(refusal.getValue())
                    .doesNotContain("registered");
            assertThat(total("/api/v1/models/" + model + "/checkpoints")).as("no checkpoint").isEqualTo(checkpoints);
            assertThat(total("/api/v1/jobs")).as("no job").isEqualTo(jobs);
        }
        assertThat(total("/api/v1/models/" + model + "/checkpoints")).isZero();
        Run slow = pipeline(engineer, Map.of("QREG_POLL_SECONDS", "soon"), model, "1.0.0", file, recipe,
                "--evaluation", evaluation, "--calibration", "pipeline-static-calib@1");
        assertThat(slow.exitCode()).isEqualTo(2);
        assertThat(slow.output()).contains("QREG_POLL_SECONDS must be a number of seconds above 0, got 'soon'");

        Run passed = pipeline(engineer, model, "1.0.0", file, recipe, "--evaluation", evaluation,
                "--calibration", "pipeline-static-calib@1");
        assertThat(passed.exitCode()).as(passed.output()).isZero();
        assertThat(passed.output()).contains("checkpoint pipeline-digits-static@1.0.0 registered",
                "(pipeline-static@1 on any, calibrated on pipeline-static-calib@1)", "policy verdict: PASSED");
        assertThat(total("/api/v1/models/" + model + "/checkpoints")).isEqualTo(1);
        String variant = passed.output().lines().filter(l -> l.startsWith("variant ")).findFirst().orElseThrow()
                .substring("variant ".length());
        JsonNode lineage = admin.get("/api/v1/variants/" + variant).json();
        assertThat(lineage.toString()).contains("pipeline-static-calib");
        // Not a terminal: no carriage returns, one plain line per change, whole percentages, tenths of seconds,
        // and each check's figures rounded to what they measure (an accuracy drop to four places).
        assertThat(passed.output()).doesNotContain("\r");
        assertThat(passed.output()).containsPattern("(?m)^  quantize  +SUCCEEDED +100%  +\\d+\\.\\d s")
                .containsPattern("(?m)^  evaluate  +SUCCEEDED +100%  +\\d+\\.\\d s")
                .containsPattern("(?m)^  PASS  maxAccuracyDrop +threshold \\d\\.\\d{4} +actual -?\\d\\.\\d{4} ");
    }

    /**
     * Issue 5's acceptance flow: a high-risk language model quantized three ways with evidence, each
     * variant signed off under separation of duties, rolled into production's standard tier step by
     * step, with the routing config following every move and a bad canary rolled back automatically.
     */
    @Test
    void aHighRiskModelGoesFromCheckpointToTrafficThroughEvidenceSignOffsAndAStagedRollout() throws Exception {
        HttpApi engineer = registry.api(token("ENGINEER"));
        HttpApi approver1 = registry.api(token("APPROVER"));
        HttpApi approver2 = registry.api(token("APPROVER"));
        HttpApi riskOfficer = registry.api(token("RISK_OFFICER"));
        HttpApi gateway = registry.api(token("GATEWAY"));
        List<String> notified = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            if (exchange.getRequestHeaders().getFirst("X-QReg-Signature") != null) {
                notified.add(exchange.getRequestHeaders().getFirst("X-QReg-Event"));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String webhook = ok(engineer.post("/api/v1/webhooks", Map.of("url", "http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/hook", "events", List.of("*"), "description", "chat")), 201)
                .json().get("id").asString();

        ok(engineer.post("/api/v1/models", Map.of("name", "pipeline-bytelm", "task", "language-model", "riskTier",
                "high", "owner", "nlp")), 201);
        String checkpoint = ok(engineer.upload("/api/v1/models/pipeline-bytelm/checkpoints", Map.of("version", "1.0.0",
                "license", "MIT", "redistribution", "allowed"), Fixtures.bytes("bytelm_small.onnx"), "bytelm.onnx"),
                201).json().get("id").asString();
        // The model's own policy: the high tier's quality bounds, without its speed floor, because a
        // benchmark on a shared CI machine can be slowed any amount by its neighbours (PolicyIT covers speed).
        ok(admin.put("/api/v1/models/pipeline-bytelm/policy", Map.of("maxAccuracyDrop", 0.01,
                "maxPerplexityIncreasePct", 3, "minTop1Agreement", 0.9)), 200);
        ok(engineer.upload("/api/v1/datasets", Map.of("name", "pipeline-bytelm-eval", "purpose", "evaluation"),
                Fixtures.zip(Map.of("input_ids.npy", Fixtures.bytes("bytelm_small_eval_ids.npy"),
                        "labels.npy", Fixtures.bytes("bytelm_small_eval_labels.npy"))), "bytelm-eval.zip"), 201);
        Map<String, Map<String, Object>> recipes = Map.of(
                "int8-dynamic", Map.of("name", "pipeline-lm-int8", "method", "int8-dynamic", "perChannel", true),
                "int4-weight", Map.of("name", "pipeline-lm-int4", "method", "int4-weight", "blockSize", 32,
                        "symmetric", true),
                "fp16", Map.of("name", "pipeline-lm-fp16", "method", "fp16"));
        Map<String, String> jobs = new java.util.LinkedHashMap<>();
        for (String method : List.of("int8-dynamic", "int4-weight", "fp16")) {
            Map<String, Object> recipe = recipes.get(method);
            ok(engineer.post("/api/v1/recipes", recipe), 201);
            jobs.put(method, ok(engineer.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId", checkpoint,
                    "recipe", Map.of("name", recipe.get("name"), "version", 1), "followUps", List.of(
                            Map.of("type", "EVALUATE", "dataset", Map.of("name", "pipeline-bytelm-eval", "version", 1)),
                            Map.of("type", "BENCHMARK", "hardwareTarget", "any")))), 202).json().get("id").asString());
        }
        Map<String, String> variants = new java.util.LinkedHashMap<>();
        for (var job : jobs.entrySet()) {
            JsonNode done = awaitFinished(engineer, job.getValue());
            assertThat(done.get("status").asString()).as(done + registry.tail()).isEqualTo("SUCCEEDED");
            for (JsonNode followUp : done.get("followUpJobIds")) {
                JsonNode f = awaitFinished(engineer, followUp.asString());
                assertThat(f.get("status").asString()).as(f.toString()).isEqualTo("SUCCEEDED");
            }
            variants.put(job.getKey(), done.get("variantId").asString());
        }
        String int8 = variants.get("int8-dynamic");
        String int4 = variants.get("int4-weight");
        String fp16 = variants.get("fp16");
        for (String variant : variants.values()) {
            JsonNode v = engineer.get("/api/v1/variants/" + variant).json();
            assertThat(v.get("evaluations").get(0).get("deltas").has("perplexity")).as(v.toString()).isTrue();
            assertThat(v.get("benchmarks").get(0).get("speedup").asDouble()).isPositive();
            assertThat(v.get("policyVerdict").get("passed").asBoolean()).as(v.get("policyVerdict").toString()).isTrue();
        }

        ok(engineer.post("/api/v1/deployments", Map.of("name", DEPLOYMENT, "modelName", "pipeline-bytelm",
                "environments", List.of("staging", "production"), "tiers", List.of(
                        Map.of("name", "premium"), Map.of("name", "standard", "default", true)))), 201);

        // The first variant: two distinct APPROVERs (high risk); the requester may not sign.
        String approval1 = requestApproval(engineer, int8);
        assertThat(engineer.post("/api/v1/approvals/" + approval1 + "/signoffs",
                Map.of("decision", "APPROVE", "comment", "mine")).status()).isEqualTo(403);
        approve(approver1, approval1);
        assertThat(approve(approver2, approval1).get("status").asString()).isEqualTo("APPROVED");
        JsonNode first = ok(engineer.post("/api/v1/deployments/" + DEPLOYMENT + "/rollouts", Map.of("variantId", int8,
                "environment", "production", "tier", "standard", "steps", List.of(5, 25, 100),
                "approvalId", approval1)), 201).json();
        assertThat(first.get("phase").asString()).as("an empty tier goes to 100% at once").isEqualTo("COMPLETED");
        JsonNode routing = routing(gateway);
        assertThat(weights(routing, "standard")).isEqualTo(Map.of(int8, 100));
        long revision = routing.get("revision").asLong();

        // The 4-bit variant also needs a RISK_OFFICER; then 5% -> 25% -> 100% with the routing following,
        // each step once the gateway's reports have passed its analysis (a person advances: autoAdvance off).
        String approval2 = requestApproval(engineer, int4);
        approve(approver1, approval2);
        assertThat(approve(approver2, approval2).get("status").asString()).isEqualTo("PENDING");
        assertThat(approve(riskOfficer, approval2).get("status").asString()).isEqualTo("APPROVED");
        JsonNode second = ok(engineer.post("/api/v1/deployments/" + DEPLOYMENT + "/rollouts", Map.of("variantId", int4,
                "environment", "production", "tier", "standard", "steps", List.of(5, 25, 100),
                "approvalId", approval2, "analysis", Map.of("intervalSeconds", 1, "successfulIntervals", 1,
                        "autoAdvance", false))), 201).json();
        String rollout2 = second.get("id").asString();
        List<Map<String, Integer>> steps = List.of(Map.of(int8, 95, int4, 5), Map.of(int8, 75, int4, 25),
                Map.of(int4, 100));
        for (int step = 0; step < steps.size(); step++) {
            if (step > 0) {
                assertThat(engineer.post("/api/v1/rollouts/" + rollout2 + "/advance", Map.of()).status())
                        .as("no analysis yet").isEqualTo(409);
                passAnalysis(gateway, engineer, rollout2);
                ok(engineer.post("/api/v1/rollouts/" + rollout2 + "/advance", Map.of()), 200);
            }
            routing = routing(gateway);
            assertThat(weights(routing, "standard")).as("step %d", step).isEqualTo(steps.get(step));
            assertThat(routing.get("revision").asLong()).isGreaterThan(revision);
            revision = routing.get("revision").asLong();
        }
        assertThat(engineer.get("/api/v1/rollouts/" + rollout2).json().get("phase").asString()).isEqualTo("COMPLETED");

        // The third: a bad canary report rolls it back and restores the previous weights.
        String approval3 = requestApproval(engineer, fp16);
        approve(approver1, approval3);
        approve(approver2, approval3);
        String rollout3 = ok(engineer.post("/api/v1/deployments/" + DEPLOYMENT + "/rollouts", Map.of("variantId", fp16,
                "environment", "production", "tier", "standard", "steps", List.of(5, 25, 100),
                "approvalId", approval3, "analysis", Map.of("intervalSeconds", 1))), 201).json().get("id").asString();
        assertThat(weights(routing(gateway), "standard")).isEqualTo(Map.of(int4, 95, fp16, 5));
        ok(gateway.post("/api/v1/rollouts/" + rollout3 + "/health", Map.of("errorRate", 0.2, "p99LatencyMs", 40,
                "qualityProxy", 0.95, "requests", 50)), 200);
        long judged = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!"ROLLED_BACK".equals(engineer.get("/api/v1/rollouts/" + rollout3).json().get("phase").asString())
                && System.nanoTime() < judged) {
            Thread.sleep(100);
        }
        assertThat(engineer.get("/api/v1/rollouts/" + rollout3).json().get("phase").asString())
                .as("the interval with the bad report fails and rolls back").isEqualTo("ROLLED_BACK");
        routing = routing(gateway);
        assertThat(weights(routing, "standard")).isEqualTo(Map.of(int4, 100));
        assertThat(routing.get("revision").asLong()).isGreaterThan(revision);

        // CI/CD and chat heard about each of it, signed.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> expected = List.of("variant.ready", "approval.requested", "approval.decided", "rollout.step",
                "rollout.rollback");
        while (!notified.containsAll(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        receiver.stop(0);
        // Retired, so the classes that share this registry after it send nothing to the closed port.
        ok(admin.delete("/api/v1/webhooks/" + webhook), 200);
        assertThat(notified).containsAll(expected);
        assertThat(notified.stream().filter("variant.ready"::equals).count()).isEqualTo(3);
    }

    private String requestApproval(HttpApi engineer, String variant) {
        return ok(engineer.post("/api/v1/approvals", Map.of("variantId", variant, "deployment", DEPLOYMENT,
                "environment", "production", "tier", "standard")), 201).json().get("id").asString();
    }

    private static JsonNode approve(HttpApi signer, String approval) {
        return ok(signer.post("/api/v1/approvals/" + approval + "/signoffs",
                Map.of("decision", "APPROVE", "comment", "evidence reviewed")), 200).json();
    }

    /** How many items a listing holds, e.g. a model's checkpoints. */
    private long total(String listing) {
        return ok(admin.get(listing + (listing.contains("?") ? "&" : "?") + "size=1"), 200).json()
                .get("totalItems").asLong();
    }

    private static JsonNode routing(HttpApi gateway) {
        return ok(gateway.get("/api/v1/routing/" + DEPLOYMENT + "?environment=production"), 200).json();
    }

    /** The weight of each backend of one rule, by variant id. */
    private static Map<String, Integer> weights(JsonNode routing, String rule) {
        for (JsonNode r : routing.get("rules")) {
            if (r.get("name").asString().equals(rule)) {
                Map<String, Integer> weights = new java.util.HashMap<>();
                for (JsonNode backend : r.get("backends")) {
                    if (backend.get("weight").asInt() > 0) {
                        weights.put(backend.get("variant").asString(), backend.get("weight").asInt());
                    }
                }
                return weights;
            }
        }
        throw new AssertionError("no rule '" + rule + "' in " + routing);
    }

    private static JsonNode awaitFinished(HttpApi admin, String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            JsonNode job = admin.get("/api/v1/jobs/" + jobId).json();
            String status = job.get("status").asString();
            if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status) || System.nanoTime() > deadline) {
                return job;
            }
            Thread.sleep(250);
        }
    }

    private String token(String role) {
        String username = role.toLowerCase() + "-" + System.nanoTime();
        assertThat(admin.post("/api/v1/users", Map.of("username", username, "roles", List.of(role))).status())
                .isEqualTo(201);
        return admin.post("/api/v1/tokens", Map.of("name", "ci", "username", username)).json().get("token").asString();
    }

    private static boolean onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String[] concat(String first, String second, String... rest) {
        String[] all = new String[rest.length + 2];
        all[0] = first;
        all[1] = second;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    /** The gateway reports healthy figures until the rollout's current step has passed its analysis. */
    private static void passAnalysis(HttpApi gateway, HttpApi engineer, String rolloutId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            ok(gateway.post("/api/v1/rollouts/" + rolloutId + "/health", Map.of("errorRate", 0.001, "p99LatencyMs", 40,
                    "qualityProxy", 0.97, "requests", 200)), 200);
            if (engineer.get("/api/v1/rollouts/" + rolloutId).json().get("analysis").get("currentStep").get("passed")
                    .asBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the step's analysis did not pass within 20 s");
    }
}
