package io.qreg.engine.calibration;

import java.util.Arrays;

/**
 * A histogram of |x| over [0, bins × width) whose memory is fixed whatever the data: when a value
 * beyond the current limit arrives, the bin width doubles and neighbouring bins merge pairwise,
 * which is exact (no re-binning error), and always leaves at least half the bins in use.
 * Also tracks the signed extremes, so a symmetric threshold can be clipped to the observed side.
 */
final class AbsHistogram {

    private final long[] counts;
    private final MinMaxCalibrator extremes = new MinMaxCalibrator();
    private double width;
    private long zerosBeforeWidth;
    private long total;

    AbsHistogram(int bins) {
        if (bins < 2 || Integer.bitCount(bins) != 1) {
            throw new IllegalArgumentException("bins must be a power of two >= 2, got " + bins);
        }
        this.counts = new long[bins];
    }

    void observe(float[] values) {
        extremes.observe(values);
        double maxAbs = 0;
        for (float v : values) {
            float a = Math.abs(v);
            if (a > maxAbs && a != Float.POSITIVE_INFINITY) {
                maxAbs = a;
            }
        }
        if (width == 0) {
            if (maxAbs == 0) {
                for (float v : values) {
                    if (!Float.isNaN(v)) {
                        zerosBeforeWidth++;
                        total++;
                    }
                }
                return;
            }
            width = maxAbs / counts.length;
            counts[0] += zerosBeforeWidth;
        }
        while (maxAbs >= width * counts.length) {
            doubleWidth();
        }
        int last = counts.length - 1;
        for (float v : values) {
            if (Float.isNaN(v)) {
                continue;
            }
            counts[Math.min(last, (int) (Math.abs(v) / width))]++;
            total++;
        }
    }

    private void doubleWidth() {
        int half = counts.length / 2;
        for (int i = 0; i < half; i++) {
            counts[i] = counts[2 * i] + counts[2 * i + 1];
        }
        Arrays.fill(counts, half, counts.length, 0);
        width *= 2;
    }

    long total() {
        return total;
    }

    int bins() {
        return counts.length;
    }

    long count(int bin) {
        return counts[bin];
    }

    /** Width of one bin; 0 while only zeros were seen. */
    double width() {
        return width;
    }

    MinMaxCalibrator extremes() {
        return extremes;
    }

    /** The smallest bin edge below which at least {@code percentile}% of |x| lies. */
    double absPercentile(double percentile) {
        if (total == 0) {
            throw new IllegalStateException("no values observed");
        }
        double target = total * percentile / 100.0;
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i];
            if (cumulative >= target) {
                return Math.min((i + 1) * width, extremes.observedRange().maxAbs());
            }
        }
        return extremes.observedRange().maxAbs();
    }

    /**
     * A symmetric |x| threshold applied to the observed values the way ONNX Runtime does:
     * [max(-t, min), min(t, max)], widened to include 0.
     */
    Range clip(double threshold) {
        Range seen = extremes.observedRange();
        float t = (float) threshold;
        return new Range(Math.min(0f, Math.max(-t, seen.min())), Math.max(0f, Math.min(t, seen.max())));
    }
}
