package io.qreg.engine.sensitivity;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.WeightPrecision;
import java.util.ArrayList;
import java.util.List;

/**
 * One way mixed precision can store a MatMul/Gemm layer: MatMulNBits at 4 or 8 bits with a block size, or the
 * float weight as it is ({@link #FLOAT}).
 *
 * @param blockSize MatMulNBits' block size; 0 for float
 */
record LayerFormat(WeightPrecision precision, int blockSize) {

    static final LayerFormat FLOAT = new LayerFormat(WeightPrecision.FP32, 0);
    /** The coarsest block offered: past it a block's one float32 scale saves under 0.25 bits per weight. */
    static final int COARSEST_BLOCK = 128;

    boolean quantized() {
        return precision != WeightPrecision.FP32;
    }

    /** The weight-only method that writes this format. */
    Method method() {
        return precision == WeightPrecision.INT8 ? Method.INT8_WEIGHT : Method.INT4_WEIGHT;
    }

    /** {@code base} (its algorithm, symmetry, calibration) writing this format. */
    QuantizationOptions options(QuantizationOptions base) {
        return base.withMethod(method()).withBlockSize(blockSize);
    }

    /** Bits per weight of the codes and the float32 block scale alone, before padding and zero points. */
    int codeBits() {
        return precision == WeightPrecision.INT8 ? 8 : 4;
    }

    @Override
    public String toString() {
        return quantized() ? precision.wireName() + " block " + blockSize : "float";
    }

    /**
     * The formats a layer may take, the options' own (int4 at the requested block) first: int4 and int8 at that
     * block and at each doubling of it up to {@link #COARSEST_BLOCK}, then float. The requested block size is the
     * finest the mix uses; coarser blocks cost fewer scale bits, which the knapsack may spend elsewhere.
     */
    static List<LayerFormat> candidates(int finestBlock) {
        List<Integer> blocks = new ArrayList<>();
        for (int b = finestBlock; b <= Math.max(finestBlock, COARSEST_BLOCK); b *= 2) {
            blocks.add(b);
        }
        List<LayerFormat> formats = new ArrayList<>();
        blocks.forEach(b -> formats.add(new LayerFormat(WeightPrecision.INT4, b)));
        blocks.forEach(b -> formats.add(new LayerFormat(WeightPrecision.INT8, b)));
        formats.add(FLOAT);
        return List.copyOf(formats);
    }
}
