package io.qreg.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.qreg.registry.job.TestWorker;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * Produces variants with chosen evaluations and benchmarks through the worker protocol over HTTP:
 * an engineer submits the jobs, and this worker claims each one and reports the figures a test
 * names instead of running ONNX Runtime. Every model's checkpoint is the digits MLP; only the
 * reported figures (and the model's task) decide what a verdict sees.
 */
public final class VariantMaker {

    /** The flag this worker has and every hardware target made here requires. */
    private static final String FLAG = "governance-it";
    private static final Map<String, String> RECIPES = new ConcurrentHashMap<>();
    private static String evaluationDataset;

    private final HttpApi admin;
    private final JdbcTemplate jdbc;
    private final TestWorker worker;
    private final Map<String, String> checkpoints = new ConcurrentHashMap<>();

    public VariantMaker(HttpApi admin, HttpApi workerAccount, JdbcTemplate jdbc) {
        this.admin = admin;
        this.jdbc = jdbc;
        this.worker = TestWorker.register(workerAccount, Map.of(), List.of(FLAG));
    }

    public static HttpApi.Reply ok(HttpApi.Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        return reply;
    }

    /**
     * A deployment of the model, named after it, in production and staging, with premium, edge,
     * standard and default (the default route) tiers; returns its name.
     */
    public String deployment(HttpApi engineer, String model) {
        ok(engineer.post("/api/v1/deployments", Map.of("name", model, "modelName", model,
                "environments", List.of("production", "staging"), "tiers", List.of(Map.of("name", "premium"),
                        Map.of("name", "edge", "edge", true), Map.of("name", "standard"),
                        Map.of("name", "default", "default", true)))), 201);
        return model;
    }

    /** A model of the task and risk tier with one checkpoint; returns its name. */
    public String model(HttpApi engineer, String task, String riskTier) {
        return model(engineer, task, riskTier, "");
    }

    /** A model of the task and risk tier with one checkpoint, its name ending in the suffix; returns its name. */
    public String model(HttpApi engineer, String task, String riskTier, String suffix) {
        String name = "gov-" + UUID.randomUUID().toString().substring(0, 8) + suffix;
        ok(engineer.post("/api/v1/models", Map.of("name", name, "task", task, "riskTier", riskTier)), 201);
        String checkpoint = ok(engineer.upload("/api/v1/models/" + name + "/checkpoints",
                Map.of("version", "1.0.0", "license", "MIT"), Fixtures.bytes("digits_mlp.onnx"), "digits_mlp.onnx"),
                201).json().get("id").asString();
        checkpoints.put(name, checkpoint);
        return name;
    }

    /** A hardware target only this worker satisfies; returns its name. */
    public String hardwareTarget(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        ok(admin.post("/api/v1/hardware-targets", Map.of("name", name, "requiredFlags", List.of(FLAG))), 201);
        return name;
    }

    /** Runs a QUANTIZE job the engineer submits with a recipe of the method; returns the variant's id. */
    public String quantize(HttpApi engineer, String model, String method) {
        return quantize(engineer, model, method, null);
    }

    /**
     * Runs a QUANTIZE job the engineer submits with a recipe of the method, whose worker sends this engine report
     * (null: none); returns the variant's id.
     */
    public String quantize(HttpApi engineer, String model, String method, Map<String, Object> report) {
        String recipe = RECIPES.computeIfAbsent(method, m -> {
            String name = "gov-" + m + "-" + UUID.randomUUID().toString().substring(0, 8);
            ok(admin.post("/api/v1/recipes", Map.of("name", name, "method", m)), 201);
            return name;
        });
        // Any bytes do as the artifact; unique ones give every variant its own sha256.
        byte[] artifact = ("variant " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        // force: each call is a new variant (its own bytes), not the identical earlier run's.
        JsonNode job = run(engineer, Map.of("type", "QUANTIZE", "checkpointId", checkpoints.get(model),
                "recipe", Map.of("name", recipe, "version", 1), "force", true), report == null
                        ? Map.of("engineVersion", "test", "onnxRuntimeVersion", "test")
                        : Map.of("engineVersion", "test", "onnxRuntimeVersion", "test", "report", report), artifact);
        return job.get("variantId").asString();
    }

    /**
     * Runs a QUANTIZE job with a new recipe of these fields (e.g. method int4-weight, algorithm gptq) and these extra
     * job fields (e.g. a calibrationDataset); returns the variant's id.
     */
    public String quantize(HttpApi engineer, String model, Map<String, Object> recipeFields,
            Map<String, Object> jobFields) {
        String name = "gov-r-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> recipe = new LinkedHashMap<>(recipeFields);
        recipe.put("name", name);
        ok(admin.post("/api/v1/recipes", recipe), 201);
        Map<String, Object> request = new LinkedHashMap<>(jobFields);
        request.putAll(Map.of("type", "QUANTIZE", "checkpointId", checkpoints.get(model),
                "recipe", Map.of("name", name, "version", 1), "force", true));
        byte[] artifact = ("variant " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        return run(engineer, request, Map.of("engineVersion", "test", "onnxRuntimeVersion", "test"), artifact)
                .get("variantId").asString();
    }

    /**
     * Runs a QUANTIZE job as {@link #quantize(HttpApi, String, String)} does, then an EVALUATE job that reports the
     * evaluation map; returns the variant's id.
     */
    public String evaluatedVariant(HttpApi engineer, String model, String method, Map<String, Object> evaluation) {
        String variant = quantize(engineer, model, method);
        evaluate(engineer, variant, evaluation);
        return variant;
    }

    /** Runs an EVALUATE job that reports the evaluation map; returns the evaluation's id. */
    public String evaluate(HttpApi engineer, String variantId, Map<String, Object> evaluation) {
        run(engineer, Map.of("type", "EVALUATE", "variantId", variantId, "dataset",
                Map.of("name", evaluationDataset(), "version", 1)), Map.of("evaluation", evaluation), null);
        JsonNode evaluations = admin.get("/api/v1/variants/" + variantId).json().get("evaluations");
        return evaluations.get(evaluations.size() - 1).get("id").asString();
    }

    /** Runs a BENCHMARK job on the target that reports these figures for the variant; returns the benchmark's id. */
    public String benchmark(HttpApi engineer, String variantId, String target, double speedup, double p99Ms,
            long rssDeltaBytes) {
        Map<String, Object> checkpoint = Map.of("model", "checkpoint", "latencyP50Ms", 2.0, "latencyP99Ms", 3.0,
                "speedup", 1.0, "rssDeltaBytes", 4_000_000);
        Map<String, Object> variant = Map.of("model", "variant", "latencyP50Ms", 2.0 / speedup, "latencyP99Ms", p99Ms,
                "speedup", speedup, "rssDeltaBytes", rssDeltaBytes);
        run(engineer, Map.of("type", "BENCHMARK", "variantId", variantId, "hardwareTarget", target),
                Map.of("benchmark", Map.of("results", List.of(checkpoint, variant))), null);
        JsonNode benchmarks = admin.get("/api/v1/variants/" + variantId).json().get("benchmarks");
        return benchmarks.get(benchmarks.size() - 1).get("id").asString();
    }

    /**
     * Runs a BENCHMARK job whose variant entry carries the engine's 95 % bootstrap intervals (speedupInterval,
     * latencyP99IntervalMs) as a current worker reports them; returns the benchmark's id.
     */
    public String benchmarkWithInterval(HttpApi engineer, String variantId, String target, double speedup,
            double speedupLow, double speedupHigh, double p99Ms, double p99HighMs) {
        Map<String, Object> checkpoint = Map.of("model", "checkpoint", "latencyP50Ms", 2.0, "latencyP99Ms", 3.0,
                "speedup", 1.0, "rssDeltaBytes", 4_000_000);
        double width = (speedupHigh - speedupLow) / speedup;
        Map<String, Object> variant = Map.of("model", "variant", "latencyP50Ms", 2.0 / speedup,
                "latencyP99Ms", p99Ms, "speedup", speedup, "rssDeltaBytes", 4_000_000,
                "speedupInterval", Map.of("level", 0.95, "low", speedupLow, "high", speedupHigh,
                        "relativeWidth", width, "noisy", width > 0.10, "resamples", 2000, "seed", 42),
                "latencyP99IntervalMs", Map.of("level", 0.95, "low", p99Ms * 0.9, "high", p99HighMs));
        run(engineer, Map.of("type", "BENCHMARK", "variantId", variantId, "hardwareTarget", target),
                Map.of("benchmark", Map.of("results", List.of(checkpoint, variant))), null);
        JsonNode benchmarks = admin.get("/api/v1/variants/" + variantId).json().get("benchmarks");
        return benchmarks.get(benchmarks.size() - 1).get("id").asString();
    }

    /** Runs an EVALUATE job on the named evaluation dataset's version 1 that reports the evaluation map. */
    public void evaluateOn(HttpApi engineer, String variantId, String dataset, Map<String, Object> evaluation) {
        run(engineer, Map.of("type", "EVALUATE", "variantId", variantId, "dataset",
                Map.of("name", dataset, "version", 1)), Map.of("evaluation", evaluation), null);
    }

    /** What a classification evaluation against the checkpoint reports, with optional per-slice accuracy deltas. */
    public static Map<String, Object> classification(double accuracy, double reference, double top1Agreement,
            double... sliceDeltas) {
        Map<String, Object> slices = new LinkedHashMap<>();
        for (int i = 0; i < sliceDeltas.length; i++) {
            slices.put(String.valueOf(i), Map.of("samples", 50,
                    "metrics", Map.of("accuracy", reference + sliceDeltas[i]),
                    "deltas", Map.of("accuracy", sliceDeltas[i])));
        }
        return Map.of("metrics", Map.of("accuracy", accuracy, "top1Agreement", top1Agreement),
                "referenceMetrics", Map.of("accuracy", reference), "deltas", Map.of("accuracy", accuracy - reference),
                "slices", slices, "samples", 500);
    }

    /** What a language-model evaluation against the checkpoint reports. */
    public static Map<String, Object> languageModel(double perplexity, double referencePerplexity,
            double nextTokenAccuracy, double referenceNextTokenAccuracy, double top1Agreement) {
        return Map.of("metrics", Map.of("perplexity", perplexity, "nextTokenAccuracy", nextTokenAccuracy,
                        "top1Agreement", top1Agreement),
                "referenceMetrics", Map.of("perplexity", referencePerplexity,
                        "nextTokenAccuracy", referenceNextTokenAccuracy),
                "deltas", Map.of("perplexity", perplexity - referencePerplexity,
                        "nextTokenAccuracy", nextTokenAccuracy - referenceNextTokenAccuracy),
                "slices", Map.of(), "samples", 200);
    }

    /** Submits the job, claims it as this worker and reports it SUCCEEDED with the fields; returns the job. */
    private JsonNode run(HttpApi engineer, Map<String, Object> request, Map<String, Object> resultFields, byte[] file) {
        // Jobs other tests left queued would be claimed first (oldest first) and are no concern of theirs any more.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now(), worker_id = null,"
                + " lease_expires_at = null where status in ('QUEUED', 'RUNNING')");
        String jobId = ok(engineer.post("/api/v1/jobs", request), 202).json().get("id").asString();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        ok(worker.result(jobId, claimed.get("attempt").asInt(), "SUCCEEDED", resultFields, file), 200);
        return ok(engineer.get("/api/v1/jobs/" + jobId), 200).json();
    }


    private String evaluationDataset() {
        synchronized (VariantMaker.class) {
            if (evaluationDataset == null) {
                String name = "gov-eval-" + UUID.randomUUID().toString().substring(0, 8);
                ok(admin.upload("/api/v1/datasets", Map.of("name", name, "purpose", "evaluation"),
                        Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"),
                                "labels.npy", Fixtures.bytes("digits_eval_y.npy"))), "eval.zip"), 201);
                evaluationDataset = name;
            }
            return evaluationDataset;
        }
    }
}
