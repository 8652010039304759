package io.qreg.registry.recipe;

import java.util.Arrays;

/** The quantization methods the engine implements, by their wire names. */
public enum QuantizationMethod {
    INT8_DYNAMIC("int8-dynamic"), INT8_STATIC("int8-static"), INT4_WEIGHT("int4-weight"),
    INT8_WEIGHT("int8-weight"), FP16("fp16");

    private final String wireName;

    QuantizationMethod(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
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
