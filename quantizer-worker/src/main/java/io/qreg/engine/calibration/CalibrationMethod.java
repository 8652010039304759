package io.qreg.engine.calibration;

import java.util.Arrays;
import java.util.Locale;

/** How activation ranges are derived from calibration data (int8-static only). */
public enum CalibrationMethod {
    MINMAX, PERCENTILE, ENTROPY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CalibrationMethod parse(String value) {
        return Arrays.stream(values()).filter(m -> m.wireName().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown calibration method '" + value
                        + "'; use minmax, percentile or entropy"));
    }
}
