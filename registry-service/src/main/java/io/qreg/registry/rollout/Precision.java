package io.qreg.registry.rollout;

import java.util.Arrays;

/** The numeric precision a backend serves at, ordered from the most exact. */
public enum Precision {
    FP32("fp32", 32), FP16("fp16", 16), INT8("int8", 8), INT4("int4", 4);

    private final String wireName;
    private final int bits;

    Precision(String wireName, int bits) {
        this.wireName = wireName;
        this.bits = bits;
    }

    public String wireName() {
        return wireName;
    }

    public int bits() {
        return bits;
    }

    /** The precision a quantization method leaves the weights in (the engine's method names). */
    public static Precision ofMethod(String method) {
        return switch (method) {
            case "int8-dynamic", "int8-static", "int8-weight" -> INT8;
            case "int4-weight" -> INT4;
            case "fp16" -> FP16;
            default -> throw new IllegalArgumentException("no precision known for method '" + method + "'");
        };
    }

    public static Precision parse(String wireName) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(wireName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown precision '" + wireName + "'"));
    }
}
