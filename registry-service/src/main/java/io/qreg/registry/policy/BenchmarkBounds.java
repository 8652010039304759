package io.qreg.registry.policy;

import io.qreg.registry.variant.VariantView.BenchmarkView;

/**
 * Which figure of a benchmark a speed gate compares: the conservative bound of its 95 % bootstrap interval, so that
 * the same artifact measured twice does not pass one run and fail the next. {@code minSpeedup} takes the speed-up's
 * lower bound, {@code maxP99LatencyMs} the p99's upper bound.
 *
 * <p>Benchmarks recorded before intervals existed have none; they are judged on their point estimate, as they were
 * when recorded, and the check's detail says so. Re-benchmarking gives them an interval.
 */
final class BenchmarkBounds {

    private BenchmarkBounds() {
    }

    /** The figure compared, words before the measure's name, and a note after the comparison. */
    record Bound(Double value, String prefix, String note) {
    }

    static Bound measured(Double value) {
        return new Bound(value, "", "");
    }

    static Bound speedup(BenchmarkView b) {
        if (!b.hasInterval()) {
            return new Bound(b.speedup(), "", pointEstimateNote());
        }
        return new Bound(b.speedupLow(), "lower 95% bound of the ", " (estimate " + fmt(b.speedup()) + "x, 95% interval ["
                + fmt(b.speedupLow()) + ", " + fmt(b.speedupHigh()) + "]" + noisy(b) + ")");
    }

    static Bound latencyP99(BenchmarkView b) {
        if (b.latencyP99HighMs() == null) {
            return new Bound(b.latencyP99Ms(), "", pointEstimateNote());
        }
        return new Bound(b.latencyP99HighMs(), "upper 95% bound of the ", " (estimate "
                + fmt(b.latencyP99Ms()) + " ms" + noisy(b) + ")");
    }

    private static String noisy(BenchmarkView b) {
        return Boolean.TRUE.equals(b.speedupNoisy()) ? "; noisy: the interval is wider than 10% of the estimate" : "";
    }

    private static String pointEstimateNote() {
        return " (point estimate: the benchmark was recorded without a confidence interval; re-run it for one)";
    }

    private static String fmt(Double value) {
        return value == null ? "?" : PolicyEvaluator.fmt(value);
    }
}
