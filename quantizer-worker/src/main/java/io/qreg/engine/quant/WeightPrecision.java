package io.qreg.engine.quant;

/**
 * The precision a layer's weights are stored at in a written model, narrowest first: the buckets of
 * {@link PrecisionMix}. Everything but {@link #FP32} counts as quantized.
 */
public enum WeightPrecision {
    INT4("int4"),
    INT8("int8"),
    FP16("fp16"),
    FP32("fp32");

    private final String wireName;

    WeightPrecision(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean quantized() {
        return this != FP32;
    }

    /**
     * Whether weights at this precision count as left in float by {@code method}: float32 always, float16
     * too unless float16 is what the method writes (a float16 layer an integer method left alone was not
     * reduced by it).
     */
    public boolean keptInFloatBy(Method method) {
        return this == FP32 || (this == FP16 && method != Method.FP16);
    }

    /** The wider of the two: a layer with one float weight is not quantized, whatever its others are. */
    WeightPrecision widest(WeightPrecision other) {
        return other == null || ordinal() >= other.ordinal() ? this : other;
    }
}
