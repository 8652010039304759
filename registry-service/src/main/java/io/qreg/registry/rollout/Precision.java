package io.qreg.registry.rollout;

import java.util.Arrays;

import io.qreg.engine.quant.Method;

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

    /** The precision a quantization method leaves the weights in. */
    public static Precision ofMethod(String method) {
        int bits = Method.parse(method).bits();
        return Arrays.stream(values()).filter(p -> p.bits == bits).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no precision of " + bits + " bits"));
    }

    public static Precision parse(String wireName) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(wireName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown precision '" + wireName + "'"));
    }
}
