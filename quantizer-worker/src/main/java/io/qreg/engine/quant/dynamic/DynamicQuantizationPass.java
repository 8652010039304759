package io.qreg.engine.quant.dynamic;

import io.qreg.engine.quant.EmbeddingQuantizer;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.OpTablePass;
import java.util.Map;

/**
 * int8-dynamic: int8 weights, activations quantized at run time by the fused ONNX Runtime kernel:
 * DynamicQuantizeMatMul for MatMul and Gemm, ConvInteger for Conv (uint8 weights, the kernel's only
 * type), DynamicQuantizeLSTM for LSTM.
 * Constant Gather tables (embeddings) are stored as int8 too, as ONNX Runtime's quantize_dynamic does;
 * {@code --exclude-op-types Gather} keeps them float.
 */
public final class DynamicQuantizationPass extends OpTablePass {

    private static final OpQuantizer MATMUL = new DynamicMatMulQuantizer();
    private static final OpQuantizer GATHER = new EmbeddingQuantizer();
    private static final OpQuantizer CONV = new ConvIntegerQuantizer();
    private static final OpQuantizer LSTM = new DynamicLstmQuantizer();

    public DynamicQuantizationPass() {
        super("int8-dynamic");
    }

    @Override
    protected Map<String, OpQuantizer> table() {
        return Map.of("MatMul", MATMUL, "Gemm", MATMUL, "Gather", GATHER, "Conv", CONV, "LSTM", LSTM);
    }
}
