package io.qreg.registry.policy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import io.qreg.registry.policy.Verdict.Check;
import io.qreg.registry.policy.Verdict.EvidenceRef;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.variant.VariantView.BenchmarkView;
import io.qreg.registry.variant.VariantView.EvaluationView;

/**
 * Judges a variant's recorded evaluations and benchmarks against thresholds. Pure: the same
 * policy and variant always give the same verdict.
 *
 * <p>Of several evaluations on one dataset version, and of several benchmarks on one hardware
 * target, the latest counts (a re-run replaces a measurement); a check over several datasets
 * reports the worst of them. Every result ever recorded is still part of the evidence digest.
 */
final class PolicyEvaluator {

    private static final String LANGUAGE_MODEL = "language-model";
    private static final String CLASSIFICATION = "classification";
    private static final String NO_EVALUATION = "no evaluation yet";
    /** Figures computed from stored doubles (0.95 - 0.96) must not fail a threshold they equal. */
    private static final double TOLERANCE = 1e-9;
    private static final double MIB = 1024.0 * 1024.0;

    private PolicyEvaluator() {
    }

    static Verdict judge(EffectivePolicy policy, String task, VariantView variant) {
        Thresholds t = policy.thresholds();
        List<EvaluationView> evaluations = latestPerDataset(variant.evaluations());
        // A language model's accuracy is its next-token accuracy; every other task reports 'accuracy'.
        String accuracyKey = LANGUAGE_MODEL.equals(task) ? "nextTokenAccuracy" : "accuracy";
        List<Check> checks = new ArrayList<>();
        if (t.maxAccuracyDrop() != null) {
            checks.add(overEvaluations("maxAccuracyDrop", t.maxAccuracyDrop(), true, evaluations,
                    e -> negated(number(e.deltas(), accuracyKey)), accuracyKey + " drop", ""));
        }
        if (t.maxPerplexityIncreasePct() != null) {
            checks.add(LANGUAGE_MODEL.equals(task)
                    ? overEvaluations("maxPerplexityIncreasePct", t.maxPerplexityIncreasePct(), true, evaluations,
                            PolicyEvaluator::perplexityIncreasePct, "perplexity increase", "%")
                    : notApplicable("maxPerplexityIncreasePct", t.maxPerplexityIncreasePct(),
                            "a " + task + " model reports no perplexity"));
        }
        if (t.minTop1Agreement() != null) {
            checks.add(overEvaluations("minTop1Agreement", t.minTop1Agreement(), false, evaluations,
                    e -> number(e.metrics(), "top1Agreement"), "top-1 agreement with the checkpoint", ""));
        }
        if (t.maxWorstSliceAccuracyDrop() != null) {
            checks.add(worstSlice(t.maxWorstSliceAccuracyDrop(), evaluations, accuracyKey));
        }
        if (t.maxMeanKld() != null) {
            checks.add(LANGUAGE_MODEL.equals(task)
                    ? overEvaluations("maxMeanKld", t.maxMeanKld(), true, evaluations,
                            e -> number(e.metrics(), "meanKld"), "mean KL divergence from the checkpoint", "")
                    : notApplicable("maxMeanKld", t.maxMeanKld(),
                            "a " + task + " model reports no next-token KL divergence"));
        }
        if (t.maxFlipRate() != null) {
            checks.add(CLASSIFICATION.equals(task)
                    ? overEvaluations("maxFlipRate", t.maxFlipRate(), true, evaluations,
                            e -> number(e.metrics(), "flipRate"), "flip rate against the checkpoint", "")
                    : notApplicable("maxFlipRate", t.maxFlipRate(), "a " + task + " model reports no flip rate"));
        }
        checks.addAll(SliceChecks.judge(t.sliceThresholds(), evaluations, accuracyKey));
        benchmarkChecks(t, variant.benchmarks(), checks);
        boolean passed = checks.stream().allMatch(Check::passed);
        return new Verdict(variant.id(), null, passed, policy, checks, evidence(variant));
    }

    static Evidence evidence(VariantView variant) {
        Map<?, ?> lineage = variant.lineage() == null ? Map.of() : variant.lineage();
        return Evidence.of(variant.sha256(), text(lineage.get("recipe"), "hash"),
                text(lineage.get("calibrationDataset"), "sha256"),
                variant.evaluations().stream().map(EvaluationView::id).toList(),
                variant.benchmarks().stream().map(BenchmarkView::id).toList());
    }

    // ---------------------------------------------------------------- evaluations

    private static List<EvaluationView> latestPerDataset(List<EvaluationView> all) {
        Map<String, EvaluationView> latest = new LinkedHashMap<>();
        all.forEach(e -> latest.put(dataset(e), e));
        return new ArrayList<>(latest.values());
    }

    /** The worst figure over the datasets' latest evaluations, against an upper ({@code atMost}) or lower bound. */
    private static Check overEvaluations(String name, double threshold, boolean atMost, List<EvaluationView> latest,
            Function<EvaluationView, Double> measure, String what, String unit) {
        if (latest.isEmpty()) {
            return new Check(name, null, threshold, null, false, NO_EVALUATION, List.of());
        }
        List<EvidenceRef> refs = latest.stream().map(e -> EvidenceRef.evaluation(e.id(), dataset(e))).toList();
        Double worst = null;
        EvaluationView worstAt = null;
        for (EvaluationView e : latest) {
            Double value = measure.apply(e);
            if (value == null) {
                return new Check(name, null, threshold, null, false, "evaluation " + e.id() + " on " + dataset(e)
                        + " reports no " + what + "; evaluate the variant against its checkpoint on a labelled"
                        + " dataset", refs);
            }
            if (worst == null || (atMost ? value > worst : value < worst)) {
                worst = value;
                worstAt = e;
            }
        }
        boolean passed = meets(worst, threshold, atMost);
        return new Check(name, null, threshold, worst, passed, what + " " + compared(worst, threshold, atMost, unit)
                + " on " + dataset(worstAt), refs);
    }

    private static Check worstSlice(double threshold, List<EvaluationView> latest, String accuracyKey) {
        String name = "maxWorstSliceAccuracyDrop";
        if (latest.isEmpty()) {
            return new Check(name, null, threshold, null, false, NO_EVALUATION, List.of());
        }
        List<EvidenceRef> refs = new ArrayList<>();
        Double worst = null;
        String worstAt = null;
        for (EvaluationView e : latest) {
            if (!(e.slices() instanceof Map<?, ?> slices) || slices.isEmpty()) {
                continue;
            }
            refs.add(EvidenceRef.evaluation(e.id(), dataset(e)));
            for (Map.Entry<?, ?> slice : slices.entrySet()) {
                Map<?, ?> s = slice.getValue() instanceof Map<?, ?> m ? m : Map.of();
                Double drop = negated(number(s.get("deltas"), accuracyKey));
                if (drop == null) {
                    return new Check(name, null, threshold, null, false, "slice " + slice.getKey() + " of "
                            + dataset(e) + " (evaluation " + e.id() + ") reports no " + accuracyKey + " delta", refs);
                }
                if (worst == null || drop > worst) {
                    worst = drop;
                    Double samples = number(s, "samples");
                    worstAt = "slice " + slice.getKey() + " of " + dataset(e)
                            + (samples == null ? "" : " (" + samples.longValue() + " samples)");
                }
            }
        }
        if (worst == null) {
            return notApplicable(name, threshold, "no evaluation dataset has slices");
        }
        return new Check(name, null, threshold, worst, meets(worst, threshold, true), accuracyKey + " drop "
                + compared(worst, threshold, true, "") + " on the worst slice, " + worstAt, refs);
    }

    private static Double perplexityIncreasePct(EvaluationView e) {
        Double own = number(e.metrics(), "perplexity");
        Double reference = number(e.referenceMetrics(), "perplexity");
        if (reference == null && own != null && number(e.deltas(), "perplexity") != null) {
            reference = own - number(e.deltas(), "perplexity");
        }
        if (own == null || reference == null || reference <= 0) {
            return null;
        }
        return (own - reference) / reference * 100;
    }

    // ---------------------------------------------------------------- benchmarks

    /** One check per threshold and hardware target: the policy's targets, or every target benchmarked. */
    private static void benchmarkChecks(Thresholds t, List<BenchmarkView> all, List<Check> checks) {
        if (!t.checksBenchmarks()) {
            return;
        }
        Map<String, BenchmarkView> latest = new LinkedHashMap<>();
        all.forEach(b -> latest.put(b.hardwareTarget(), b));
        List<String> targets = t.hardwareTargets() != null ? t.hardwareTargets()
                : new ArrayList<>(new TreeSet<>(latest.keySet()));
        if (t.minSpeedup() != null) {
            perTarget(checks, "minSpeedup", t.minSpeedup(), false, targets, latest, BenchmarkBounds::speedup,
                    "speed-up", "x");
        }
        if (t.maxP99LatencyMs() != null) {
            perTarget(checks, "maxP99LatencyMs", t.maxP99LatencyMs(), true, targets, latest,
                    BenchmarkBounds::latencyP99, "p99 latency", " ms");
        }
        if (t.maxMemoryMb() != null) {
            perTarget(checks, "maxMemoryMb", t.maxMemoryMb(), true, targets, latest,
                    b -> BenchmarkBounds.measured(memoryMb(b)), "memory", " MiB");
        }
    }

    private static void perTarget(List<Check> checks, String name, double threshold, boolean atMost,
            List<String> targets, Map<String, BenchmarkView> latest,
            Function<BenchmarkView, BenchmarkBounds.Bound> measure, String what, String unit) {
        if (targets.isEmpty()) {
            checks.add(new Check(name, null, threshold, null, false, "no benchmark yet", List.of()));
            return;
        }
        for (String target : targets) {
            BenchmarkView b = latest.get(target);
            if (b == null) {
                checks.add(new Check(name, target, threshold, null, false, "no benchmark yet on hardware target '"
                        + target + "'", List.of()));
                continue;
            }
            List<EvidenceRef> refs = List.of(EvidenceRef.benchmark(b.id(), target));
            BenchmarkBounds.Bound bound = measure.apply(b);
            Double value = bound.value();
            if (value == null) {
                checks.add(new Check(name, target, threshold, null, false, "benchmark " + b.id() + " reports no "
                        + what, refs));
                continue;
            }
            checks.add(new Check(name, target, threshold, value, meets(value, threshold, atMost), bound.prefix() + what
                    + " " + compared(value, threshold, atMost, unit) + bound.note(), refs));
        }
    }

    /**
     * The variant's resident-memory growth while loaded and run. A benchmark's {@code results} hold
     * the checkpoint first and the variant second (VariantService.addBenchmark reads them alike).
     */
    private static Double memoryMb(BenchmarkView b) {
        if (b.results() instanceof Map<?, ?> results && results.get("results") instanceof List<?> list
                && !list.isEmpty()) {
            Double bytes = number(list.size() >= 2 ? list.get(1) : list.get(0), "rssDeltaBytes");
            return bytes == null ? null : bytes / MIB;
        }
        return null;
    }

    // ---------------------------------------------------------------- helpers

    static boolean meets(double value, double threshold, boolean atMost) {
        return atMost ? value <= threshold + TOLERANCE : value >= threshold - TOLERANCE;
    }

    /** "0.016 > 0.01": the figure, how it stands against the threshold, and the threshold. */
    static String compared(double value, double threshold, boolean atMost, String unit) {
        boolean passed = meets(value, threshold, atMost);
        String relation = atMost ? (passed ? " <= " : " > ") : (passed ? " >= " : " < ");
        return fmt(value) + unit + relation + fmt(threshold) + unit;
    }

    private static Check notApplicable(String name, double threshold, String why) {
        return new Check(name, null, threshold, null, true, "not applicable: " + why, List.of());
    }

    static String dataset(EvaluationView e) {
        return e.dataset().get("name") + "@" + e.dataset().get("version");
    }

    static Double number(Object map, String key) {
        return map instanceof Map<?, ?> m && m.get(key) instanceof Number n ? n.doubleValue() : null;
    }

    /** A drop is the negated delta; 0.0 - x, unlike -x, keeps an unchanged metric's drop at 0 rather than -0. */
    static Double negated(Double value) {
        return value == null ? null : 0.0 - value;
    }

    private static String text(Object map, String key) {
        return map instanceof Map<?, ?> m && m.get(key) != null ? m.get(key).toString() : null;
    }

    static String fmt(double value) {
        return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
