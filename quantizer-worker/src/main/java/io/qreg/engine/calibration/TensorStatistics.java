package io.qreg.engine.calibration;

/**
 * Everything calibration keeps about one tensor: the range the chosen method proposes, plus the
 * raw extremes and the bulk magnitude (the 99.99th percentile of |x|) that let the engine notice a
 * range dominated by a few huge constants, such as an additive attention mask of -1e9.
 */
public final class TensorStatistics implements Calibrator {

    /** Percentile of |x| taken as "where the bulk of the values lies". */
    public static final double BULK_PERCENTILE = 99.99;

    private final Calibrator method;
    private final AbsHistogram bulk = new AbsHistogram(PercentileCalibrator.BINS);

    public TensorStatistics(Calibrator method) {
        this.method = method;
    }

    @Override
    public void observe(float[] values) {
        method.observe(values);
        bulk.observe(values);
    }

    /** Whether any value was observed. */
    public boolean observed() {
        return bulk.total() > 0;
    }

    @Override
    public Range range() {
        return method.range();
    }

    /** The exact observed minimum and maximum. */
    public Range extremes() {
        return bulk.extremes().observedRange();
    }

    /** The 99.99th percentile of |x|. */
    public double bulkMagnitude() {
        return bulk.absPercentile(BULK_PERCENTILE);
    }
}
