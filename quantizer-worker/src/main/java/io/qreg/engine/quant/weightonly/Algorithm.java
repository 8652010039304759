package io.qreg.engine.quant.weightonly;

import java.util.Arrays;
import java.util.List;

/**
 * How int4-weight / int8-weight choose each block's codes, scale and zero point. All of them write the same
 * MatMulNBits format; they differ only in the values. The wire name is the CLI's {@code --algorithm} value and the
 * recipe's {@code algorithm} field.
 */
public enum Algorithm {
    /** Round to nearest on each block's own range: no data needed. */
    RTN("rtn", "RTN"),
    /** Frantar et al. 2022: rounds input channel by input channel, moving each error onto the channels not yet rounded. */
    GPTQ("gptq", "GPTQ"),
    /** Lin et al. 2023: per-input-channel scales from activation magnitudes, folded into the preceding op. */
    AWQ("awq", "AWQ"),
    /** Badri &amp; Shaji 2023: half-quadratic optimisation of scales and zero points, no data needed. */
    HQQ("hqq", "HQQ");

    private final String wireName;
    private final String label;

    Algorithm(String wireName, String label) {
        this.wireName = wireName;
        this.label = label;
    }

    public String wireName() {
        return wireName;
    }

    /** How reports name it, e.g. "int4 block 32 symmetric, GPTQ". */
    public String label() {
        return label;
    }

    /** GPTQ and AWQ read the activations each layer sees, so they need a calibration dataset. */
    public boolean needsCalibration() {
        return this == GPTQ || this == AWQ;
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(Algorithm::wireName).toList();
    }

    public static Algorithm parse(String value) {
        return Arrays.stream(values()).filter(a -> a.wireName.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown algorithm '" + value + "'; use one of "
                        + wireNames()));
    }
}
