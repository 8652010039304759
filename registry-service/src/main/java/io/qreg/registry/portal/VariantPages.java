package io.qreg.registry.portal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.dataset.DatasetView;
import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.fallback.OperatingPoint;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.rollout.Rollout;
import io.qreg.registry.rollout.RolloutService;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.support.ByteSizes;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.variant.VariantView.BenchmarkView;
import io.qreg.registry.variant.VariantView.EvaluationView;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.PageRequest;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/** Builds the variant page: lineage graph, engine report, evaluations, benchmarks, verdict and approvals. */
@Component
@RequiredArgsConstructor
class VariantPages {

    /** Approvals drawn in the lineage and listed; a variant rarely has more. */
    private static final int MAX_APPROVALS = 20;
    /** Deployments whose tiers' fallback operating points are marked on the curve. */
    private static final int MAX_DEPLOYMENTS = 20;

    private final VariantService variants;
    private final ModelService models;
    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final PolicyService policies;
    private final ApprovalService approvals;
    private final RolloutService rollouts;
    private final DeploymentService deployments;

    public record VariantPage(VariantView variant, String shortId, String bits, String sizeHuman, ModelView model,
            CheckpointView checkpoint, RecipeView recipe, String recipeLabel, DatasetView calibration, UUID jobId,
            Map<String, String> facts,
            VerdictView verdict, List<ApprovalView> approvals, List<LineageGraph.Stage> lineageStages,
            LineageGraph lineage, Sensitivity sensitivity, List<EvaluationBlock> evaluations,
            List<BenchmarkBlock> benchmarks, FallbackCurveChart fallbackCurve) {
    }

    public record VerdictView(boolean passed, String source, List<CheckRow> checks) {
    }

    public record CheckRow(String name, String target, String threshold, String actual, boolean passed, String detail) {
    }

    /**
     * The engine's per-layer report. {@code chart} holds the layers with a measured sensitivity
     * (SQNR of the model output with only that layer quantized: lower means more sensitive).
     */
    public record Sensitivity(List<LayerRow> layers, List<Map<String, Object>> chart, List<String> notes, long quantized,
            long kept, String sizeBefore, String sizeAfter) {

        public boolean measured() {
            return !chart.isEmpty();
        }
    }

    public record LayerRow(String node, String opType, String status, String detail, Double sqnrDb, String sqnr,
            String weightsBefore, String weightsAfter) {
    }

    /** {@code classFlips}: a classifier's flip rate per class against the checkpoint, or null. */
    public record EvaluationBlock(UUID id, String dataset, Long samples, List<MetricRow> metrics, List<String> sliceMetrics,
            List<SliceRow> slices, String hardware, Instant createdAt, UUID jobId, ClassFlipTable classFlips) {
    }

    public record MetricRow(String name, String value, String reference, String delta, String tone) {
    }

    public record SliceRow(String slice, Long samples, List<String> cells) {
    }

    public record BenchmarkBlock(UUID id, String target, String latencyP50, String latencyP99, String speedup,
            String hardware, String runtime, List<List<String>> results, Instant createdAt, UUID jobId) {
    }

    VariantPage page(UUID id) {
        VariantView v = variants.get(id);
        ModelView model = models.get(v.modelName());
        CheckpointView checkpoint = checkpoints.get(v.checkpointId());
        Map<String, Object> lineage = v.lineage() == null ? Map.of() : v.lineage();
        RecipeView recipe = optional(() -> recipes.get(Figures.text(lineage.get("recipe"), "name"),
                Figures.number(lineage.get("recipe"), "version").intValue()));
        DatasetView calibration = optional(() -> datasets.get(Figures.text(lineage.get("calibrationDataset"), "name"),
                Figures.number(lineage.get("calibrationDataset"), "version").intValue()));
        UUID jobId = variants.producingJobId(id);
        Verdict verdict = policies.verdict(v);
        List<ApprovalView> approvalList = approvals.search(null, false, id, null, null, null,
                PageRequest.of(0, MAX_APPROVALS)).getContent();
        List<LineageGraph.Stage> stages = stages(v, model, checkpoint, recipe, calibration, jobId, approvalList,
                rollouts.ofVariant(v.id()));
        return new VariantPage(v, Figures.shortId(v.id()), Figures.bitsPerWeight(v), ByteSizes.human(v.sizeBytes()),
                model, checkpoint, recipe, VariantFigures.recipe(v), calibration, jobId, facts(v, lineage),
                verdictView(verdict), approvalList, stages, LineageGraph.layout(stages), sensitivity(v.report()),
                v.evaluations().stream().map(VariantPages::evaluation).toList(),
                v.benchmarks().stream().map(VariantPages::benchmark).toList(),
                FallbackCurveChart.of(variants.routingCurve(id), operatingPoints(model.name())));
    }

    /** The operating points asked for the model's fallbacks: its policy's, then each deployment tier's own. */
    private List<FallbackCurveChart.Asked> operatingPoints(String modelName) {
        List<FallbackCurveChart.Asked> asked = new ArrayList<>();
        OperatingPoint policy = policies.effectivePolicy(modelName).fallback();
        if (policy != null) {
            asked.add(new FallbackCurveChart.Asked("policy", policy));
        }
        for (DeploymentView d : deployments.list(modelName, PageRequest.of(0, MAX_DEPLOYMENTS)).getContent()) {
            for (TierView tier : d.tiers()) {
                if (tier.fallback() != null) {
                    asked.add(new FallbackCurveChart.Asked(d.name() + "/" + tier.name(), tier.fallback()));
                }
            }
        }
        return asked;
    }

    /** A lineage reference the registry cannot resolve (a deleted or never-recorded input) is shown as missing. */
    private static <T> T optional(java.util.function.Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (ApiException | NullPointerException e) {
            return null;
        }
    }

    private static Map<String, String> facts(VariantView v, Map<String, Object> lineage) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Worker", Figures.shortId(lineage.get("workerId")));
        facts.put("Engine", String.valueOf(lineage.getOrDefault("engineVersion", "—")));
        facts.put("ONNX Runtime", String.valueOf(lineage.getOrDefault("onnxRuntimeVersion", "—")));
        facts.put("Hardware", hardware(lineage.get("hardwareProfile")));
        String verified = VariantFigures.verification(v);
        if (verified != null) {
            facts.put("Verified in ONNX Runtime on", verified);
        }
        // The account that posted the worker's result; who asked for the variant is on its job's page.
        facts.put("Recorded by", v.createdBy());
        return facts;
    }

    private static List<LineageGraph.Stage> stages(VariantView v, ModelView model, CheckpointView checkpoint,
            RecipeView recipe, DatasetView calibration, UUID jobId, List<ApprovalView> approvalList,
            List<Rollout> rolloutList) {
        Map<String, Object> lineage = v.lineage() == null ? Map.of() : v.lineage();
        List<LineageGraph.Spec> inputs = new ArrayList<>();
        inputs.add(new LineageGraph.Spec("CHECKPOINT", model.name() + " " + checkpoint.version(),
                "sha256 " + Figures.shortSha(checkpoint.sha256()),
                "/models/" + model.name() + "#checkpoint-" + checkpoint.id(), ""));
        inputs.add(new LineageGraph.Spec("RECIPE VERSION", VariantFigures.recipe(v),
                recipe == null ? "hash " + Figures.shortSha(Figures.text(lineage.get("recipe"), "hash"))
                        : recipe.method() + " · hash " + Figures.shortSha(recipe.hash()), "#recipe", ""));
        Object cal = lineage.get("calibrationDataset");
        inputs.add(cal == null
                ? new LineageGraph.Spec("CALIBRATION DATASET", "none", "no calibration data", null, "muted")
                : new LineageGraph.Spec("CALIBRATION DATASET", VariantFigures.calibration(v),
                        (calibration == null ? "" : calibration.samples() + " samples · ") + "sha256 "
                                + Figures.shortSha(Figures.text(cal, "sha256")), "#calibration", ""));

        List<LineageGraph.Spec> variant = List.of(new LineageGraph.Spec("VARIANT " + Figures.shortId(v.id()),
                v.method() + " · " + ByteSizes.human(v.sizeBytes()), "made by job " + Figures.shortId(jobId),
                "/jobs/" + jobId, "current"));

        List<LineageGraph.Spec> evidence = new ArrayList<>();
        for (EvaluationView e : v.evaluations()) {
            String dataset = Figures.text(e.dataset(), "name") + "@" + Figures.text(e.dataset(), "version");
            VariantFigures.Quality q = VariantFigures.quality(model.task(), new VariantView(v.id(), v.modelName(),
                    v.checkpointId(), v.sha256(), v.sizeBytes(), v.method(), v.createdAt(), v.createdBy(),
                    v.lineage(), v.report(), List.of(e), List.of()));
            evidence.add(new LineageGraph.Spec("EVALUATION", dataset, q.label() + " " + q.display(),
                    "#evaluation-" + e.id(), ""));
        }
        for (BenchmarkView b : v.benchmarks()) {
            evidence.add(new LineageGraph.Spec("BENCHMARK", b.hardwareTarget(), Figures.speedup(b.speedup())
                    + " · p50 " + Figures.millis(b.latencyP50Ms()), "#benchmark-" + b.id(), ""));
        }

        List<LineageGraph.Spec> signed = approvalList.stream().map(a -> new LineageGraph.Spec(
                "APPROVAL · " + a.status().name(), a.deployment() + " / " + a.environment(), "tier " + a.tier(),
                "/approvals/" + a.id(), switch (a.status()) {
                    case APPROVED -> "ok";
                    case REJECTED, VOID, EXPIRED -> "failed";
                    default -> "pending";
                })).toList();

        return List.of(new LineageGraph.Stage("Inputs", inputs, ""),
                new LineageGraph.Stage("Variant", variant, ""),
                new LineageGraph.Stage("Evidence", evidence, "not measured yet"),
                new LineageGraph.Stage("Approvals", signed, "none requested"),
                new LineageGraph.Stage("Rollouts", rolloutList.stream().map(r -> new LineageGraph.Spec(
                        "ROLLOUT · " + r.phase().name(), r.deployment() + " / " + r.environment(),
                        "tier " + r.tier() + " · " + r.percent() + "%",
                        "/deployments/" + r.deployment() + "?environment=" + r.environment(), switch (r.phase()) {
                            case COMPLETED -> "ok";
                            case ROLLED_BACK -> "failed";
                            default -> "pending";
                        })).toList(), "none yet"));
    }

    private static VerdictView verdictView(Verdict verdict) {
        List<CheckRow> checks = verdict.checks().stream().map(c -> new CheckRow(c.name(), c.hardwareTarget(),
                Figures.number(c.threshold()), Figures.number(c.actual()), c.passed(), c.detail())).toList();
        return new VerdictView(verdict.passed(), verdict.policy().source(), checks);
    }

    @SuppressWarnings("unchecked")
    static Sensitivity sensitivity(Object report) {
        if (!(report instanceof Map<?, ?> r)) {
            return new Sensitivity(List.of(), List.of(), List.of("The worker sent no engine report."), 0, 0, "—",
                    "—");
        }
        List<LayerRow> layers = new ArrayList<>();
        List<Map<String, Object>> chart = new ArrayList<>();
        if (r.get("layers") instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> l)) {
                    continue;
                }
                Double sqnr = Figures.number(l, "sensitivitySqnrDb");
                String node = String.valueOf(l.get("node"));
                String status = String.valueOf(l.get("status"));
                layers.add(new LayerRow(node, Figures.text(l, "opType"), status, Figures.text(l, "detail"), sqnr,
                        sqnr == null ? "—" : String.format(java.util.Locale.ROOT, "%.1f dB", sqnr),
                        bytes(l.get("weightBytesBefore")), bytes(l.get("weightBytesAfter"))));
                if (sqnr != null && Double.isFinite(sqnr)) {
                    Map<String, Object> bar = new LinkedHashMap<>();
                    bar.put("node", node);
                    bar.put("opType", Figures.text(l, "opType"));
                    bar.put("sqnrDb", Math.round(sqnr * 100) / 100.0);
                    bar.put("quantized", "QUANTIZED".equals(status));
                    chart.add(bar);
                }
            }
        }
        List<String> notes = r.get("notes") instanceof List<?> n ? n.stream().map(String::valueOf).toList()
                : List.of();
        Double quantized = Figures.number(r, "quantized");
        Double kept = Figures.number(r, "kept");
        return new Sensitivity(layers, chart, notes, quantized == null ? 0 : quantized.longValue(),
                kept == null ? 0 : kept.longValue(), bytes(r.get("bytesBefore")), bytes(r.get("bytesAfter")));
    }

    private static String bytes(Object value) {
        return value instanceof Number n ? ByteSizes.human(n.longValue()) : "—";
    }

    private static EvaluationBlock evaluation(EvaluationView e) {
        List<MetricRow> metrics = new ArrayList<>();
        for (String key : VariantFigures.keys(e.metrics())) {
            Double delta = Figures.number(e.deltas(), key);
            String tone = delta == null || Math.abs(delta) < 1e-12 ? ""
                    : (delta < 0) == Figures.lowerIsBetter(key) ? "better" : "worse";
            metrics.add(new MetricRow(key, Figures.number(Figures.number(e.metrics(), key)),
                    Figures.number(Figures.number(e.referenceMetrics(), key)), Figures.signed(delta, "%.4f"), tone));
        }
        List<String> sliceMetrics = new ArrayList<>();
        List<SliceRow> slices = new ArrayList<>();
        if (e.slices() instanceof Map<?, ?> all && !all.isEmpty()) {
            for (Object s : all.values()) {
                for (String k : VariantFigures.keys(s instanceof Map<?, ?> m ? m.get("metrics") : null)) {
                    if (!sliceMetrics.contains(k)) {
                        sliceMetrics.add(k);
                    }
                }
            }
            for (Map.Entry<?, ?> entry : all.entrySet()) {
                Map<?, ?> slice = entry.getValue() instanceof Map<?, ?> m ? m : Map.of();
                List<String> cells = new ArrayList<>();
                for (String k : sliceMetrics) {
                    Double value = Figures.number(slice.get("metrics"), k);
                    Double delta = Figures.number(slice.get("deltas"), k);
                    cells.add(Figures.number(value) + (delta == null ? "" : " (" + Figures.signed(delta, "%.4f") + ")"));
                }
                Double samples = Figures.number(slice, "samples");
                slices.add(new SliceRow(String.valueOf(entry.getKey()), samples == null ? null : samples.longValue(),
                        cells));
            }
        }
        String dataset = Figures.text(e.dataset(), "name") + "@" + Figures.text(e.dataset(), "version");
        return new EvaluationBlock(e.id(), dataset, e.samples(), metrics, sliceMetrics, slices,
                hardware(e.hardwareProfile()), e.createdAt(), e.jobId(), ClassFlipTable.of(e.flipRateByClass()));
    }

    private static BenchmarkBlock benchmark(BenchmarkView b) {
        List<List<String>> results = new ArrayList<>();
        if (b.results() instanceof Map<?, ?> m && m.get("results") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> r) {
                    results.add(List.of(String.valueOf(r.get("role") != null ? r.get("role") : r.get("model")),
                            Figures.millis(Figures.number(r, "latencyP50Ms")),
                            Figures.millis(Figures.number(r, "latencyP99Ms")),
                            Figures.number(Figures.number(r, "throughput")),
                            Figures.speedup(Figures.number(r, "speedup"))));
                }
            }
        }
        String runtime = Figures.text(b.hardwareProfile(), "onnxRuntimeVersion");
        return new BenchmarkBlock(b.id(), b.hardwareTarget(), Figures.millis(b.latencyP50Ms()),
                Figures.millis(b.latencyP99Ms()), Figures.speedupWithInterval(b), hardware(b.hardwareProfile()),
                runtime == null ? "—" : runtime, results, b.createdAt(), b.jobId());
    }

    /** A worker's hardware profile in one line: CPU, cores, architecture, OS. */
    static String hardware(Object profile) {
        if (!(profile instanceof Map<?, ?> p)) {
            return "—";
        }
        List<String> parts = new ArrayList<>();
        if (p.get("cpuModel") != null) {
            parts.add(String.valueOf(p.get("cpuModel")));
        }
        if (p.get("cores") != null) {
            parts.add(p.get("cores") + " cores");
        }
        if (p.get("arch") != null) {
            parts.add(String.valueOf(p.get("arch")));
        }
        if (p.get("os") != null) {
            parts.add(String.valueOf(p.get("os")));
        }
        return parts.isEmpty() ? "—" : String.join(" · ", parts);
    }
}
