package io.qreg.engine.quant.dynamic;

import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.OpTablePass;
import java.util.Map;

/** int8-dynamic: int8 weights, activations quantized at run time by the fused ONNX Runtime kernel. */
public final class DynamicQuantizationPass extends OpTablePass {

    private static final OpQuantizer MATMUL = new DynamicMatMulQuantizer();

    public DynamicQuantizationPass() {
        super("int8-dynamic");
    }

    @Override
    protected Map<String, OpQuantizer> table() {
        return Map.of("MatMul", MATMUL, "Gemm", MATMUL);
    }
}
