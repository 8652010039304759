package io.qreg.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class SpeedupIntervalTest {

    /** Rounds of a baseline near 2 ms and a model near 1.6 ms, with seeded noise. */
    private static long[][] rounds(int n, double noise, long seed) {
        Random random = new Random(seed);
        long[] base = new long[n];
        long[] model = new long[n];
        for (int i = 0; i < n; i++) {
            // A shared per-round disturbance (the machine's bad moment) plus each run's own noise.
            double machine = 1 + Math.abs(random.nextGaussian()) * noise;
            base[i] = Math.round(2_000_000 * machine * (1 + random.nextGaussian() * noise / 2));
            model[i] = Math.round(1_600_000 * machine * (1 + random.nextGaussian() * noise / 2));
        }
        return new long[][] {base, model};
    }

    /**
     * The bootstrap written out plainly: boxed lists, numpy's linear-interpolation percentile spelt out. It shares only
     * the random draws (SplittableRandom with the seed, one nextInt(n) per drawn round) with the class under test.
     */
    private static double[] reference(long[] base, long[] model, int resamples, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Double> speedups = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        int n = base.length;
        for (int r = 0; r < resamples; r++) {
            List<Double> b = new ArrayList<>();
            List<Double> m = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int round = random.nextInt(n);
                b.add(base[round] / 1e6);
                m.add(model[round] / 1e6);
            }
            speedups.add(quantile(b, 0.5) / quantile(m, 0.5));
            p99s.add(quantile(m, 0.99));
        }
        return new double[] {quantile(speedups, 0.025), quantile(speedups, 0.975), quantile(p99s, 0.025),
                quantile(p99s, 0.975)};
    }

    private static double quantile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double position = q * (sorted.size() - 1);
        int below = (int) position;
        double fraction = position - below;
        double lower = sorted.get(below);
        return below + 1 < sorted.size() ? lower + fraction * (sorted.get(below + 1) - lower) : lower;
    }

    @Test
    void boundsMatchAPlainReferenceBootstrapOverTheSameRounds() {
        long[][] runs = rounds(100, 0.2, 7);
        SpeedupInterval interval = SpeedupInterval.bootstrap(runs[0], runs[1], 1500, 42);
        double[] expected = reference(runs[0], runs[1], 1500, 42);
        assertThat(interval.speedupLow()).isCloseTo(expected[0], within(1e-12));
        assertThat(interval.speedupHigh()).isCloseTo(expected[1], within(1e-12));
        assertThat(interval.latencyP99LowMs()).isCloseTo(expected[2], within(1e-12));
        assertThat(interval.latencyP99HighMs()).isCloseTo(expected[3], within(1e-12));
        assertThat(interval.level()).isEqualTo(0.95);
        assertThat(interval.resamples()).isEqualTo(1500);
    }

    @Test
    void theIntervalHoldsThePointEstimateAndTheSameSeedGivesTheSameInterval() {
        long[][] runs = rounds(80, 0.3, 11);
        SpeedupInterval first = SpeedupInterval.bootstrap(runs[0], runs[1], 2000, 5);
        double point = SpeedupInterval.pointSpeedup(runs[0], runs[1]);
        assertThat(first.speedupLow()).isLessThan(point);
        assertThat(first.speedupHigh()).isGreaterThan(point);
        assertThat(SpeedupInterval.bootstrap(runs[0], runs[1], 2000, 5)).isEqualTo(first);
        assertThat(first.relativeWidth()).isCloseTo((first.speedupHigh() - first.speedupLow()) / point,
                within(1e-12));
    }

    @Test
    void steadyRunsGiveANarrowQuietIntervalAndNoisyRunsAWideOneMarkedNoisy() {
        long[][] steady = rounds(100, 0.01, 3);
        long[][] noisy = rounds(100, 0.6, 3);
        SpeedupInterval quiet = SpeedupInterval.bootstrap(steady[0], steady[1], 1000, 1);
        SpeedupInterval loud = SpeedupInterval.bootstrap(noisy[0], noisy[1], 1000, 1);
        assertThat(quiet.relativeWidth()).isLessThan(SpeedupInterval.NOISY_RELATIVE_WIDTH);
        assertThat(quiet.noisy()).isFalse();
        assertThat(loud.relativeWidth()).isGreaterThan(SpeedupInterval.NOISY_RELATIVE_WIDTH);
        assertThat(loud.noisy()).isTrue();
        assertThat(quiet.speedupLow()).isCloseTo(1.25, within(0.02));
    }

    @Test
    void identicalRunsHaveAnIntervalOfWidthZero() {
        long[] base = new long[50];
        long[] model = new long[50];
        java.util.Arrays.fill(base, 3_000_000);
        java.util.Arrays.fill(model, 1_500_000);
        SpeedupInterval interval = SpeedupInterval.bootstrap(base, model, 200, 9);
        assertThat(interval.speedupLow()).isEqualTo(2.0);
        assertThat(interval.speedupHigh()).isEqualTo(2.0);
        assertThat(interval.latencyP99HighMs()).isEqualTo(1.5);
        assertThat(interval.noisy()).isFalse();
    }

    @Test
    void runsOfDifferentLengthsAreRefused() {
        assertThatThrownBy(() -> SpeedupInterval.bootstrap(new long[3], new long[2], 100, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same number");
    }
}
