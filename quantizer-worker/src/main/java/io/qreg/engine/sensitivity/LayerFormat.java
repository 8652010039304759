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

    /** The width of one code in bits: MatMulNBits stores 4 or 8. */
    int codeBits() {
        return precision == WeightPrecision.INT8 ? 8 : 4;
    }

    @Override
    public String toString() {
        return quantized() ? precision.wireName() + " block " + blockSize : "float";
    }

    /**
     * The formats a layer may take, the options' own (int4 at the requested block) first: int4 at that block and at
     * each doubling of it up to {@link #COARSEST_BLOCK}, int8 at the coarsest of those, then float. The requested
     * block size is the finest the mix uses; coarser int4 blocks cost fewer scale bits, which the knapsack may spend
     * on int8 where the error is. int8 is offered at one block only: its error is already about 1/250 of int4's
     * (measured with GPTQ on bytelm_small, every layer), so finer int8 blocks would buy nothing measurable and cost
     * one sensitivity run per layer each.
     */
    static List<LayerFormat> candidates(int finestBlock) {
        List<LayerFormat> formats = new ArrayList<>();
        int coarsest = finestBlock;
        for (int b = finestBlock; b <= Math.max(finestBlock, COARSEST_BLOCK); b *= 2) {
            formats.add(new LayerFormat(WeightPrecision.INT4, b));
            coarsest = b;
        }
        formats.add(new LayerFormat(WeightPrecision.INT8, coarsest));
        formats.add(FLOAT);
        return List.copyOf(formats);
    }
}
