package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.qreg.registry.variant.VariantView;
import io.qreg.registry.variant.VariantView.BenchmarkView;
import io.qreg.registry.variant.VariantView.EvaluationView;

/**
 * The headline figures of a variant the way the policy reads them: of several evaluations the
 * latest counts, and of several benchmarks the latest on each hardware target.
 */
final class VariantFigures {

    /** An embedding model's headline is its recall@10 change, the ranking quality its users feel. */
    private static final String EMBEDDING = "embedding";

    private VariantFigures() {
    }

    /**
     * The quality change against the source checkpoint: accuracy in percentage points (next-token
     * accuracy for a language model is secondary to its perplexity, which is shown as a percentage
     * increase). {@code value} is what charts plot; null when the variant has not been evaluated.
     */
    public record Quality(String metric, String label, String unit, Double value, String display, String dataset,
            boolean lowerIsBetter) {

        /** How the figure reads: 'better', 'worse' or 'same' against the checkpoint, '' when unknown. */
        public String tone() {
            if (value == null) {
                return "";
            }
            if (Math.abs(value) < 1e-9) {
                return "same";
            }
            return (value < 0) == lowerIsBetter ? "better" : "worse";
        }
    }

    /** The axis name of the quality change of a model's task. */
    static String qualityLabel(String task) {
        if ("language-model".equals(task)) {
            return "Perplexity change (%)";
        }
        return EMBEDDING.equals(task) ? "Recall@10 change (pp)" : "Accuracy change (pp)";
    }

    static Quality quality(String task, VariantView v) {
        boolean lm = "language-model".equals(task);
        boolean embedding = EMBEDDING.equals(task);
        String metric = lm ? "perplexity" : embedding ? "recall10" : "accuracy";
        String label = lm ? "Perplexity Δ" : embedding ? "Recall@10 Δ" : "Accuracy Δ";
        String unit = lm ? "%" : "pp";
        EvaluationView latest = v.evaluations().isEmpty() ? null : v.evaluations().get(v.evaluations().size() - 1);
        if (latest == null) {
            return new Quality(metric, label, unit, null, "not evaluated", null, lm);
        }
        String dataset = Figures.text(latest.dataset(), "name") + "@" + Figures.text(latest.dataset(), "version");
        if (lm) {
            Double pct = perplexityIncreasePct(latest);
            return new Quality(metric, label, unit, pct, Figures.percent(pct), dataset, true);
        }
        Double delta = Figures.number(latest.deltas(), metric);
        return new Quality(metric, label, unit, delta == null ? null : delta * 100, Figures.points(delta), dataset,
                false);
    }

    /** Perplexity increase over the checkpoint's, as a percentage of it (what the policy's threshold reads). */
    static Double perplexityIncreasePct(EvaluationView e) {
        Double own = Figures.number(e.metrics(), "perplexity");
        Double reference = Figures.number(e.referenceMetrics(), "perplexity");
        Double delta = Figures.number(e.deltas(), "perplexity");
        if (reference == null && own != null && delta != null) {
            reference = own - delta;
        }
        if (own == null || reference == null || reference == 0) {
            return null;
        }
        return (own - reference) / reference * 100;
    }

    /** The latest benchmark on each hardware target, targets in name order. */
    static Map<String, BenchmarkView> latestPerTarget(VariantView v) {
        Map<String, BenchmarkView> latest = new TreeMap<>();
        v.benchmarks().forEach(b -> latest.put(b.hardwareTarget(), b));
        return latest;
    }

    /** The latest evaluation on each dataset ("name@version"), in the order they were first measured. */
    static Map<String, EvaluationView> latestPerDataset(VariantView v) {
        Map<String, EvaluationView> latest = new LinkedHashMap<>();
        v.evaluations().forEach(e -> latest.put(Figures.text(e.dataset(), "name") + "@"
                + Figures.text(e.dataset(), "version"), e));
        return latest;
    }

    /** The recipe the variant was made with, as "name@version". */
    static String recipe(VariantView v) {
        Object recipe = v.lineage() == null ? null : v.lineage().get("recipe");
        String name = Figures.text(recipe, "name");
        return name == null ? "—" : name + "@" + Figures.text(recipe, "version");
    }

    static String calibration(VariantView v) {
        Object d = v.lineage() == null ? null : v.lineage().get("calibrationDataset");
        String name = Figures.text(d, "name");
        return name == null ? "none" : name + "@" + Figures.text(d, "version");
    }

    /**
     * The engine's run of the written model beside the checkpoint (report.verification), e.g. "16 calibration
     * samples · SQNR 38.2 dB · top-1 agreement 99.1%"; null for reports of engines that did not run it.
     */
    static String verification(VariantView v) {
        if (!(v.report() instanceof Map<?, ?> report) || !(report.get("verification") instanceof Map<?, ?> check)) {
            return null;
        }
        StringBuilder b = new StringBuilder().append(check.get("samples")).append(' ').append(check.get("inputs"))
                .append(" samples");
        if (check.get("sqnrDb") instanceof Number sqnr) {
            b.append(String.format(java.util.Locale.ROOT, " · SQNR %.1f dB", sqnr.doubleValue()));
        }
        if (check.get("top1Agreement") instanceof Number top1) {
            b.append(String.format(java.util.Locale.ROOT, " · top-1 agreement %.1f%%", 100 * top1.doubleValue()));
        }
        return b.toString();
    }

    /** The metric names of a map of figures, as a list (for templates that iterate over them). */
    static List<String> keys(Object map) {
        List<String> keys = new ArrayList<>();
        if (map instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> keys.add(String.valueOf(k)));
        }
        return keys;
    }
}
