package io.qreg.engine.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A 95 % bootstrap confidence interval for a model's speed-up over the baseline and for its p99 latency, so that a
 * gate can compare the conservative bound instead of a point estimate that moves between runs (0.78× one run, 1.04×
 * the next on the same artifact).
 *
 * <p>Method: percentile bootstrap over rounds. Timed run {@code i} of every model belongs to the same interleaved
 * round (with concurrent callers, the same phase round), so a resample draws round indices with replacement and
 * keeps each drawn round's baseline and model runs together: the pairing that interleaving bought is not thrown
 * away. Each resample's statistics are those of the point estimate: median(baseline) / median(model) for the
 * speed-up, numpy-style p99 of the model's runs for latency. The interval is the 2.5th and 97.5th percentiles of
 * the resampled statistics. The random draws are seeded, so the same runs always give the same interval.
 *
 * @param level            the confidence level, {@value #LEVEL}
 * @param speedupLow       lower bound of the speed-up (what a {@code minSpeedup} gate compares)
 * @param speedupHigh      upper bound of the speed-up
 * @param latencyP99LowMs  lower bound of the p99 latency, milliseconds
 * @param latencyP99HighMs upper bound of the p99 latency (what a latency limit compares)
 * @param relativeWidth    (speedupHigh - speedupLow) / the point speed-up
 * @param noisy            relativeWidth above {@value #NOISY_RELATIVE_WIDTH}: the speed-up is not known to ±5 %
 * @param resamples        bootstrap resamples drawn
 * @param seed             seed of the draws
 */
public record SpeedupInterval(double level, double speedupLow, double speedupHigh, double latencyP99LowMs,
                              double latencyP99HighMs, double relativeWidth, boolean noisy, int resamples, long seed) {

    public static final double LEVEL = 0.95;
    public static final int DEFAULT_RESAMPLES = 2000;
    /** An interval wider than 10 % of the estimate cannot tell 1.0× from 1.1×, which is what gates decide. */
    public static final double NOISY_RELATIVE_WIDTH = 0.10;

    /**
     * @param baselineNanos the baseline's timed runs, index = round
     * @param modelNanos    the model's timed runs, same rounds and length
     */
    public static SpeedupInterval bootstrap(long[] baselineNanos, long[] modelNanos, int resamples, long seed) {
        int n = modelNanos.length;
        if (n == 0 || baselineNanos.length != n) {
            throw new IllegalArgumentException("need the same number (> 0) of baseline and model runs, got "
                    + baselineNanos.length + " and " + n);
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be at least 1, got " + resamples);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] speedups = new double[resamples];
        double[] p99s = new double[resamples];
        double[] base = new double[n];
        double[] model = new double[n];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) {
                int round = random.nextInt(n);
                base[i] = baselineNanos[round] / 1e6;
                model[i] = modelNanos[round] / 1e6;
            }
            Arrays.sort(base);
            Arrays.sort(model);
            double modelMedian = LatencyStats.percentile(model, 50);
            speedups[r] = modelMedian == 0 ? 0 : LatencyStats.percentile(base, 50) / modelMedian;
            p99s[r] = LatencyStats.percentile(model, 99);
        }
        Arrays.sort(speedups);
        Arrays.sort(p99s);
        double tail = (1 - LEVEL) / 2 * 100;
        double low = LatencyStats.percentile(speedups, tail);
        double high = LatencyStats.percentile(speedups, 100 - tail);
        double point = pointSpeedup(baselineNanos, modelNanos);
        double width = point == 0 ? Double.POSITIVE_INFINITY : (high - low) / point;
        return new SpeedupInterval(LEVEL, low, high, LatencyStats.percentile(p99s, tail),
                LatencyStats.percentile(p99s, 100 - tail), width, width > NOISY_RELATIVE_WIDTH, resamples, seed);
    }

    /** median(baseline) / median(model): the point estimate BenchmarkResult reports. */
    static double pointSpeedup(long[] baselineNanos, long[] modelNanos) {
        double model = LatencyStats.ofNanos(modelNanos).p50Ms();
        return model == 0 ? 0 : LatencyStats.ofNanos(baselineNanos).p50Ms() / model;
    }
}
