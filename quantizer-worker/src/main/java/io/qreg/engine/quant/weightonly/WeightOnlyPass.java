package io.qreg.engine.quant.weightonly;

import io.qreg.engine.quant.EmbeddingQuantizer;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.OpTablePass;
import java.util.Map;

/**
 * int4-weight / int8-weight: MatMul and Gemm weights block-quantized into MatMulNBits; activations stay
 * float. Constant Gather tables (embeddings) are stored as int8 (MatMulNBits has no gather form);
 * {@code --exclude-op-types Gather} keeps them float.
 */
public final class WeightOnlyPass extends OpTablePass {

    private final OpQuantizer matmul;
    private final OpQuantizer gather = new EmbeddingQuantizer();

    /** @param bits 4 for int4-weight, 8 for int8-weight (the bit widths MatMulNBits' CPU kernel takes) */
    public WeightOnlyPass(int bits) {
        super("int" + bits + "-weight");
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("weight-only quantization supports 4 or 8 bits, got " + bits);
        }
        this.matmul = new MatMulNBitsQuantizer(bits);
    }

    @Override
    protected Map<String, OpQuantizer> table() {
        return Map.of("MatMul", matmul, "Gemm", matmul, "Gather", gather);
    }
}
