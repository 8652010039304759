package io.qreg.engine.calibration;

/**
 * Clips the range at a percentile of |x| (ONNX Runtime's Percentile calibration, symmetric on |x|):
 * the threshold t is the given percentile of the magnitudes, and the range is
 * [max(-t, min), min(t, max)], so a one-sided tensor (after Relu) keeps a one-sided range. Rare
 * outliers beyond the percentile are clipped instead of stretching the scale for everyone.
 * Memory is one fixed 2048-bin histogram.
 */
public final class PercentileCalibrator implements Calibrator {

    static final int BINS = 2048;

    private final double percentile;
    private final AbsHistogram histogram = new AbsHistogram(BINS);

    /** @param percentile in (0, 100], e.g. 99.999 */
    public PercentileCalibrator(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + percentile);
        }
        this.percentile = percentile;
    }

    @Override
    public void observe(float[] values) {
        histogram.observe(values);
    }

    /** The percentile of |x| itself (the threshold before clipping to the observed sides). */
    public double threshold() {
        return histogram.absPercentile(percentile);
    }

    @Override
    public Range range() {
        return histogram.clip(threshold());
    }
}
