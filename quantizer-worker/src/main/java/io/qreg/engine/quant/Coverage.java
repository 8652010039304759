package io.qreg.engine.quant;


/**
 * What a method does with an op type it lists in its op table, in the words of the coverage table
 * (docs/BENCHMARKS.md, "Quantizer coverage"). An op type no table lists is left as it is.
 */
public enum Coverage {
    /** Weights and/or activations stored or computed in int8/int4 by this op's own quantization. */
    QUANTIZED("quantized"),
    /** Output Q/DQ with its input's scale and zero point: int8 values move through unchanged. */
    SHARES_SCALE("passed through (shares scale)"),
    /** Removed into the output range of the op before it (Relu/Clip after a quantized op). */
    FOLDED("folded into the previous op's range"),
    /** Weights and compute in float16. */
    FLOAT16("fp16"),
    /** Deliberately kept in float32 (reported with its reason). */
    KEPT_FLOAT("kept float");

    private final String words;

    Coverage(String words) {
        this.words = words;
    }

    public String words() {
        return words;
    }
}
