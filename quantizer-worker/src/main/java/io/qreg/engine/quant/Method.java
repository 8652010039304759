package io.qreg.engine.quant;

import java.util.Arrays;

/** The quantization methods, by the names the CLI, recipes and reports use. */
public enum Method {
    INT8_DYNAMIC("int8-dynamic", 8),
    INT8_STATIC("int8-static", 8),
    INT4_WEIGHT("int4-weight", 4),
    INT8_WEIGHT("int8-weight", 8),
    FP16("fp16", 16);

    private final String wireName;
    private final int bits;

    Method(String wireName, int bits) {
        this.wireName = wireName;
        this.bits = bits;
    }

    public String wireName() {
        return wireName;
    }

    /** Bits per weight element after quantization. */
    public int bits() {
        return bits;
    }

    public static Method parse(String value) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown method '" + value + "'; use one of "
                        + Arrays.stream(values()).map(Method::wireName).toList()));
    }
}
