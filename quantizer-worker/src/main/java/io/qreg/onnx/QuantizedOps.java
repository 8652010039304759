package io.qreg.onnx;

import java.util.Set;

/**
 * The operators whose presence means a graph is already quantized: the QDQ pair a QAT export or ONNX
 * Runtime's static quantizer writes, and the integer kernels ONNX Runtime's other quantizers emit. The one
 * list both the upload header reader and the engine's "already quantized" refusal consult.
 */
public final class QuantizedOps {

    /** Default-domain (ai.onnx) quantized operators. */
    private static final Set<String> ONNX = Set.of("QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
            "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger");

    /** com.microsoft contrib operators of ONNX Runtime's quantization tools. */
    private static final Set<String> MICROSOFT = Set.of("QuantizeLinear", "DequantizeLinear", "DynamicQuantizeMatMul",
            "DynamicQuantizeLSTM", "MatMulIntegerToFloat", "MatMulNBits", "MatMulBnb4", "GatherBlockQuantized",
            "QGemm", "QAttention", "QLinearAdd", "QLinearMul", "QLinearConcat", "QLinearAveragePool",
            "QLinearGlobalAveragePool", "QLinearLeakyRelu", "QLinearSigmoid", "QLinearSoftmax", "QLinearWhere",
            "QLinearReduceMean", "QLinearConvTranspose", "QEmbedLayerNormalization", "QOrderedMatMul");

    private QuantizedOps() {
    }

    /** Whether a node of this domain ("" or ai.onnx for the default) and op type is a quantized operator. */
    public static boolean isQuantized(String domain, String opType) {
        if (domain == null || domain.isEmpty() || domain.equals("ai.onnx")) {
            return ONNX.contains(opType);
        }
        return domain.equals("com.microsoft") && MICROSOFT.contains(opType);
    }
}
