package io.qreg.engine.bench;

import java.util.Arrays;

/**
 * Summary of timed runs, in milliseconds.
 *
 * @param cv coefficient of variation, standard deviation / mean: how much to trust the mean
 */
public record LatencyStats(int runs, double meanMs, double p50Ms, double p90Ms, double p99Ms, double minMs,
                           double maxMs, double stdDevMs, double cv) {

    /** Above this coefficient of variation a measurement is flagged noisy: a 20 % spread hides most speed-ups. */
    public static final double NOISY_CV_THRESHOLD = 0.20;

    public static LatencyStats ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no runs to summarize");
        }
        double[] ms = Arrays.stream(nanos).mapToDouble(n -> n / 1e6).sorted().toArray();
        double mean = Arrays.stream(ms).average().orElseThrow();
        double variance = 0;
        for (double v : ms) {
            variance += (v - mean) * (v - mean);
        }
        // Sample standard deviation (n - 1): the runs are a sample of the model's latency distribution.
        double stdDev = ms.length > 1 ? Math.sqrt(variance / (ms.length - 1)) : 0;
        return new LatencyStats(ms.length, mean, percentile(ms, 50), percentile(ms, 90), percentile(ms, 99), ms[0],
                ms[ms.length - 1], stdDev, mean == 0 ? 0 : stdDev / mean);
    }

    /** Linear interpolation between closest ranks, numpy's default, so figures match a Python notebook's. */
    static double percentile(double[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    public boolean noisy() {
        return cv > NOISY_CV_THRESHOLD;
    }
}
