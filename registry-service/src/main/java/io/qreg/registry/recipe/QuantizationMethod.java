package io.qreg.registry.recipe;

import java.util.Arrays;

/** The quantization methods the engine implements, by their wire names. */
public enum QuantizationMethod {
    INT8_DYNAMIC("int8-dynamic", 8), INT8_STATIC("int8-static", 8), INT4_WEIGHT("int4-weight", 4),
    INT8_WEIGHT("int8-weight", 8), FP16("fp16", 16);

    private final String wireName;
    private final int bits;

    QuantizationMethod(String wireName, int bits) {
        this.wireName = wireName;
        this.bits = bits;
    }

    public String wireName() {
        return wireName;
    }

    /** Bits per weight element the method leaves (its narrowest precision). */
    public int bits() {
        return bits;
    }

    public boolean isBlockWise() {
        return this == INT4_WEIGHT || this == INT8_WEIGHT;
    }

    public static QuantizationMethod parse(String value) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown method '" + value + "'; use one of "
                        + Arrays.stream(values()).map(QuantizationMethod::wireName).toList()));
    }
}
