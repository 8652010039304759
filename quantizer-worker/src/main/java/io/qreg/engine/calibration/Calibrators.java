package io.qreg.engine.calibration;

import java.util.Objects;

/** Creates the calibrator for a {@link CalibrationMethod}. */
public final class Calibrators {

    private Calibrators() {
    }

    /** @param percentile used by {@link CalibrationMethod#PERCENTILE} only */
    public static Calibrator create(CalibrationMethod method, double percentile) {
        return switch (Objects.requireNonNull(method, "calibration method")) {
            case MINMAX -> new MinMaxCalibrator();
            case PERCENTILE -> new PercentileCalibrator(percentile);
            case ENTROPY -> new EntropyCalibrator();
        };
    }
}
