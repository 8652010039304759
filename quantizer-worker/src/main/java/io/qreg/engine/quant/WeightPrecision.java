package io.qreg.engine.quant;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The precision a layer's weights are stored at in a written model, narrowest first: the buckets of
 * {@link PrecisionMix}. Everything but {@link #FP32} counts as quantized.
 */
public enum WeightPrecision {
    INT4("int4", 4),
    INT8("int8", 8),
    FP16("fp16", 16),
    FP32("fp32", 32);

    private final String wireName;
    private final int bits;

    WeightPrecision(String wireName, int bits) {
        this.wireName = wireName;
        this.bits = bits;
    }

    public String wireName() {
        return wireName;
    }

    public int bits() {
        return bits;
    }

    /** The precision a method leaves the weights it quantizes in (for QAT, the narrowest it can store). */
    public static WeightPrecision of(Method method) {
        return Arrays.stream(values()).filter(p -> p.bits == method.bits()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no precision of " + method.bits() + " bits"));
    }

    /** @throws IllegalArgumentException naming the accepted wire names */
    public static WeightPrecision parse(String wireName) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(wireName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown precision '" + wireName + "'; expected one of "
                        + wireNames()));
    }

    /** The wire names, most exact first, as errors and docs list them. */
    public static List<String> wireNames() {
        return Arrays.stream(values()).sorted(Comparator.comparingInt(WeightPrecision::bits).reversed())
                .map(WeightPrecision::wireName).toList();
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
