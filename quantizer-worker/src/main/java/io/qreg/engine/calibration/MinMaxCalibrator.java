package io.qreg.engine.calibration;

/** The exact minimum and maximum seen (ONNX Runtime's MinMax calibration). */
public final class MinMaxCalibrator implements Calibrator {

    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;

    @Override
    public void observe(float[] values) {
        for (float v : values) {
            // Comparisons with NaN are false, so NaNs leave the range untouched.
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
    }

    /** Whether any non-NaN value was seen. */
    public boolean observed() {
        return min <= max;
    }

    /** The raw observed extremes, without widening to include 0. */
    public Range observedRange() {
        if (!observed()) {
            throw new IllegalStateException("no values observed");
        }
        return new Range(min, max);
    }

    @Override
    public Range range() {
        Range raw = observedRange();
        return new Range(Math.min(0f, raw.min()), Math.max(0f, raw.max()));
    }
}
