package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.variant.VariantView.BenchmarkView;
import io.qreg.registry.variant.VariantView.EvaluationView;

/**
 * The results an approval's evidence names, as the approval page shows them: not only their ids
 * but the figures a signer judges (quality change, top-1 agreement, speed-up with its interval,
 * p99) and how each policy check that read the result came out.
 */
final class ApprovalEvidence {

    private ApprovalEvidence() {
    }

    /** One figure of a result, named as a person reads it: "Accuracy Δ", "−0.30 pp". */
    public record Figure(String name, String value) {
    }

    /** A policy check that read the result, and whether it passed. */
    public record CheckOutcome(String name, boolean passed, String detail) {
    }

    /** One recorded result the approval's evidence names, with its figures and where the variant page shows it. */
    public record EvidenceResult(String kind, UUID id, String label, String href, List<Figure> figures,
            List<CheckOutcome> checks) {
    }

    /** The variant's evaluations and benchmarks the approval is bound to, in that order. */
    static List<EvidenceResult> ofVariant(ApprovalView a, VariantView variant, Verdict verdict) {
        List<EvidenceResult> results = new ArrayList<>();
        for (UUID id : a.evidence().evaluationIds()) {
            EvaluationView e = variant.evaluations().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
            results.add(new EvidenceResult("Evaluation", id, e == null ? "" : "on " + dataset(e),
                    "/variants/" + variant.id() + "#evaluation-" + id, e == null ? List.of() : figures(e),
                    checks(verdict, id)));
        }
        for (UUID id : a.evidence().benchmarkIds()) {
            BenchmarkView b = variant.benchmarks().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
            results.add(new EvidenceResult("Benchmark", id, b == null ? "" : "on " + b.hardwareTarget(),
                    "/variants/" + variant.id() + "#benchmark-" + id, b == null ? List.of() : figures(b),
                    checks(verdict, id)));
        }
        return results;
    }

    /** A checkpoint's evaluations the approval is bound to (a checkpoint is not benchmarked against itself). */
    static List<EvidenceResult> ofCheckpoint(ApprovalView a, UUID checkpointId, List<EvaluationView> evaluations,
            Verdict verdict) {
        return a.evidence().evaluationIds().stream().map(id -> {
            EvaluationView e = evaluations.stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
            return new EvidenceResult("Evaluation", id, e == null ? "of the checkpoint" : "on " + dataset(e),
                    "/api/v1/checkpoints/" + checkpointId + "/evaluations", e == null ? List.of() : figures(e),
                    checks(verdict, id));
        }).toList();
    }

    /** The quality changes against the checkpoint first, then agreement and sample count. */
    static List<Figure> figures(EvaluationView e) {
        List<Figure> figures = new ArrayList<>();
        if (Figures.number(e.metrics(), "perplexity") != null || Figures.number(e.deltas(), "perplexity") != null) {
            Double pct = VariantFigures.perplexityIncreasePct(e);
            figures.add(new Figure("Perplexity Δ", pct == null
                    ? Figures.number(Figures.number(e.metrics(), "perplexity")) : Figures.percent(pct)));
        }
        delta(figures, e, "accuracy", "Accuracy Δ");
        delta(figures, e, "nextTokenAccuracy", "Next-token accuracy Δ");
        delta(figures, e, "recall10", "Recall@10 Δ");
        Double top1 = Figures.number(e.metrics(), "top1Agreement");
        if (top1 != null) {
            figures.add(new Figure("Top-1 agreement", String.format(Locale.ROOT, "%.1f %%", top1 * 100)));
        }
        Double sqnr = Figures.number(e.metrics(), "sqnrDb");
        if (sqnr != null && !sqnr.isNaN()) {
            figures.add(new Figure("SQNR", sqnr.isInfinite() && sqnr > 0 ? "∞ dB (outputs identical to the reference)"
                    : String.format(Locale.ROOT, "%.1f dB", sqnr)));
        }
        if (e.samples() != null) {
            figures.add(new Figure("Samples", String.valueOf(e.samples())));
        }
        return figures;
    }

    static List<Figure> figures(BenchmarkView b) {
        List<Figure> figures = new ArrayList<>();
        figures.add(new Figure("Speed-up", Figures.speedupWithInterval(b)));
        figures.add(new Figure("p50", Figures.millis(b.latencyP50Ms())));
        figures.add(new Figure("p99", Figures.millis(b.latencyP99Ms()) + (b.latencyP99HighMs() == null ? ""
                : " (≤ " + Figures.millis(b.latencyP99HighMs()) + ")")));
        return figures;
    }

    private static void delta(List<Figure> figures, EvaluationView e, String metric, String name) {
        Double delta = Figures.number(e.deltas(), metric);
        if (delta == null && Figures.number(e.metrics(), metric) != null) {
            Double reference = Figures.number(e.referenceMetrics(), metric);
            delta = reference == null ? null : Figures.number(e.metrics(), metric) - reference;
        }
        if (delta != null) {
            figures.add(new Figure(name, Figures.points(delta)));
        }
    }

    /** The checks of the verdict that read this result. */
    private static List<CheckOutcome> checks(Verdict verdict, UUID result) {
        return verdict.checks().stream().filter(c -> c.evidence().stream().anyMatch(r -> result.equals(r.id())))
                .map(c -> new CheckOutcome(c.name() + (c.hardwareTarget() == null ? "" : " on " + c.hardwareTarget()),
                        c.passed(), c.detail())).toList();
    }

    private static String dataset(EvaluationView e) {
        return Figures.text(e.dataset(), "name") + " v" + Figures.text(e.dataset(), "version");
    }
}
