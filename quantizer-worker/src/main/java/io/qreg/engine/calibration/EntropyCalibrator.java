package io.qreg.engine.calibration;

/**
 * The TensorRT / ONNX Runtime entropy calibration: a 2048-bin histogram of |x|, and the threshold
 * (a bin edge from 128 bins up) that minimises the KL divergence between the clipped reference
 * distribution (outliers folded into the last kept bin) and its 128-level quantized version. It
 * clips a long tail when the mass there is too small to be worth the resolution it costs, and keeps
 * the full range when the distribution is flat. The threshold is applied like {@link PercentileCalibrator}'s.
 */
public final class EntropyCalibrator implements Calibrator {

    static final int BINS = 2048;
    static final int LEVELS = 128;
    /** What ONNX Runtime's smooth_distribution gives the empty bins of q so KL stays finite. */
    private static final double EPSILON = 1e-4;

    private final AbsHistogram histogram = new AbsHistogram(BINS);

    @Override
    public void observe(float[] values) {
        histogram.observe(values);
    }

    /** The chosen |x| threshold. */
    public double threshold() {
        if (histogram.total() == 0) {
            throw new IllegalStateException("no values observed");
        }
        if (histogram.width() == 0) {
            return 0;
        }
        long[] hist = new long[BINS];
        for (int i = 0; i < BINS; i++) {
            hist[i] = histogram.count(i);
        }
        // Only the used part of the histogram competes: the doubling leaves the top half empty at worst.
        int used = BINS;
        while (used > LEVELS && hist[used - 1] == 0) {
            used--;
        }
        double best = Double.POSITIVE_INFINITY;
        int bestBins = used;
        long[] suffix = new long[BINS + 1];
        for (int i = BINS - 1; i >= 0; i--) {
            suffix[i] = suffix[i + 1] + hist[i];
        }
        for (int bins = LEVELS; bins <= used; bins++) {
            double kl = divergence(hist, bins, suffix[bins]);
            if (kl < best) {
                best = kl;
                bestBins = bins;
            }
        }
        return Math.min(bestBins * histogram.width(), histogram.extremes().observedRange().maxAbs());
    }

    /** KL(P || Q) for the first {@code bins} bins with the tail mass {@code outliers} added to the last. */
    private static double divergence(long[] hist, int bins, long outliers) {
        double[] p = new double[bins];
        for (int i = 0; i < bins; i++) {
            p[i] = hist[i];
        }
        p[bins - 1] += outliers;
        double[] q = new double[bins];
        // Merge the bins into LEVELS groups, then spread each group's mass evenly over its non-empty bins.
        for (int level = 0; level < LEVELS; level++) {
            int start = (int) ((long) level * bins / LEVELS);
            int end = (int) ((long) (level + 1) * bins / LEVELS);
            double sum = 0;
            int nonEmpty = 0;
            for (int i = start; i < end; i++) {
                sum += hist[i];
                if (hist[i] != 0) {
                    nonEmpty++;
                }
            }
            for (int i = start; i < end; i++) {
                q[i] = hist[i] != 0 ? sum / nonEmpty : 0;
            }
        }
        return kl(smooth(p), smooth(q));
    }

    /** Normalises and moves a little mass into empty bins, as ONNX Runtime's smooth_distribution does. */
    private static double[] smooth(double[] counts) {
        double total = 0;
        int zeros = 0;
        for (double c : counts) {
            total += c;
            if (c == 0) {
                zeros++;
            }
        }
        double[] out = new double[counts.length];
        if (total == 0) {
            return out;
        }
        int nonZeros = counts.length - zeros;
        double taken = nonZeros == 0 ? 0 : EPSILON * zeros / nonZeros;
        for (int i = 0; i < counts.length; i++) {
            out[i] = counts[i] == 0 ? EPSILON : counts[i] / total - taken;
        }
        return out;
    }

    private static double kl(double[] p, double[] q) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0 && q[i] > 0) {
                sum += p[i] * Math.log(p[i] / q[i]);
            }
        }
        return sum;
    }

    @Override
    public Range range() {
        return histogram.clip(threshold());
    }
}
