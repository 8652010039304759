package io.qreg.engine.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibratorsTest {

    private static final int BATCH = 100_000;

    @Test
    void minMaxIsTheExactExtremesWidenedToIncludeZero() {
        MinMaxCalibrator c = new MinMaxCalibrator();
        c.observe(new float[] {0.5f, 2.25f, Float.NaN});
        c.observe(new float[] {1.0f, 3.75f});

        assertThat(c.observedRange()).isEqualTo(new Range(0.5f, 3.75f));
        assertThat(c.range()).isEqualTo(new Range(0f, 3.75f));
    }

    @Test
    void percentileIgnoresAFewOutliers() {
        PercentileCalibrator c = new PercentileCalibrator(99.999);
        Random random = new Random(1);
        for (int b = 0; b < 10; b++) {
            c.observe(gaussian(random, BATCH, 1.0));
        }
        c.observe(new float[] {1000f, -1000f, 900f, 950f, -990f}); // 5 in a million, under 0.001%

        Range range = c.range();
        assertThat(range.max()).isBetween(3.5f, 6f);
        assertThat(range.min()).isBetween(-6f, -3.5f);
    }

    @Test
    void percentileKeepsAOneSidedTensorOneSided() {
        PercentileCalibrator c = new PercentileCalibrator(99.9);
        float[] relu = new float[BATCH];
        for (int i = 0; i < relu.length; i++) {
            relu[i] = (float) i / BATCH;
        }
        c.observe(relu);

        assertThat(c.range().min()).isEqualTo(0f);
        assertThat(c.range().max()).isCloseTo(0.999f, within(0.002f));
    }

    @Test
    void histogramKeepsItsSizeWhenTheRangeGrowsBatchAfterBatch() {
        PercentileCalibrator grown = new PercentileCalibrator(50);
        PercentileCalibrator once = new PercentileCalibrator(50);
        float[] small = uniform(new Random(2), BATCH, 0.01f);
        float[] large = uniform(new Random(3), BATCH, 100f);
        grown.observe(small); // the first batch sets a fine bin width, the second forces ~2^13 doublings
        grown.observe(large);
        float[] both = new float[2 * BATCH];
        System.arraycopy(small, 0, both, 0, BATCH);
        System.arraycopy(large, 0, both, BATCH, BATCH);
        once.observe(both);

        assertThat(grown.threshold()).isCloseTo(once.threshold(), within(0.2));
    }

    @Test
    void entropyClipsAHeavyTail() {
        EntropyCalibrator c = new EntropyCalibrator();
        Random random = new Random(4);
        float max = 0;
        for (int b = 0; b < 5; b++) {
            float[] values = new float[BATCH];
            for (int i = 0; i < values.length; i++) {
                // Student-t with 2 degrees of freedom: a few values land far out in the tail.
                double g = random.nextGaussian();
                double chi2 = Math.pow(random.nextGaussian(), 2) + Math.pow(random.nextGaussian(), 2);
                values[i] = (float) (g / Math.sqrt(chi2 / 2));
                max = Math.max(max, Math.abs(values[i]));
            }
            c.observe(values);
        }

        assertThat(c.threshold()).isLessThan(0.25 * max);
        assertThat(c.range().max()).isGreaterThan(2f);
    }

    @Test
    void entropyKeepsNearlyTheWholeRangeOfAUniformDistribution() {
        EntropyCalibrator c = new EntropyCalibrator();
        Random random = new Random(5);
        for (int b = 0; b < 5; b++) {
            float[] values = uniform(random, BATCH, 2f);
            for (int i = 0; i < values.length; i++) {
                values[i] -= 1f;
            }
            c.observe(values);
        }

        assertThat(c.threshold()).isGreaterThan(0.9);
        assertThat(c.range().min()).isLessThan(-0.9f);
    }

    @Test
    void factoryCreatesTheCalibratorOfEachMethod() {
        assertThat(Calibrators.create(CalibrationMethod.MINMAX, 99.999)).isInstanceOf(MinMaxCalibrator.class);
        assertThat(Calibrators.create(CalibrationMethod.PERCENTILE, 99.999)).isInstanceOf(PercentileCalibrator.class);
        assertThat(Calibrators.create(CalibrationMethod.ENTROPY, 99.999)).isInstanceOf(EntropyCalibrator.class);
    }

    @Test
    void statisticsSeeTheBulkUnderAFewHugeValues() {
        TensorStatistics s = new TensorStatistics(new MinMaxCalibrator());
        float[] values = gaussian(new Random(6), BATCH, 1.0);
        values[0] = -1e9f;
        s.observe(values);

        assertThat(s.extremes().min()).isEqualTo(-1e9f);
        assertThat(s.bulkMagnitude()).isLessThan(1e6);
    }

    private static float[] gaussian(Random random, int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * sigma);
        }
        return v;
    }

    private static float[] uniform(Random random, int n, float max) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextFloat() * max;
        }
        return v;
    }
}
