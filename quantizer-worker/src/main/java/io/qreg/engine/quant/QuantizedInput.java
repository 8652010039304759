package io.qreg.engine.quant;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.OnnxModel;
import io.qreg.onnx.QuantizedOps;
import io.qreg.onnx.ir.NodeProto;
import java.util.Optional;

/**
 * The one gate between a model's quantization state and a method: a post-training method on a model that
 * already holds QuantizeLinear/DequantizeLinear (or integer kernels) would stack a second quantization on
 * the first, so it is refused; {@link Method#QAT} on a float model has nothing to import, so it is refused
 * too. Runs before any pass touches the graph.
 */
public final class QuantizedInput {

    private QuantizedInput() {
    }

    /** @throws QuantizationException when the method does not fit the model's quantization state */
    public static void check(OnnxModel model, Method method) throws QuantizationException {
        Optional<NodeProto> quantized = firstQuantizedNode(model.graph());
        if (method.isPostTraining() && quantized.isPresent()) {
            NodeProto node = quantized.get();
            throw new QuantizationException("the model is already quantized; use method qat (it holds "
                    + node.getOpType() + (node.getName().isEmpty() ? "" : " '" + node.getName() + "'")
                    + ", and " + method.wireName() + " would quantize it a second time)");
        }
        if (!method.isPostTraining() && !hasQdq(model.graph())) {
            throw new QuantizationException("the model has no QuantizeLinear/DequantizeLinear to import; use a"
                    + " post-training method (" + String.join(", ", Method.wireNames().stream()
                            .filter(m -> Method.parse(m).isPostTraining()).toList()) + ")");
        }
    }

    private static Optional<NodeProto> firstQuantizedNode(ModelGraph graph) {
        return graph.nodes().stream().filter(n -> QuantizedOps.isQuantized(n.getDomain(), n.getOpType())).findFirst();
    }

    private static boolean hasQdq(ModelGraph graph) {
        return graph.nodes().stream().anyMatch(n -> (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                && (n.getOpType().equals("QuantizeLinear") || n.getOpType().equals("DequantizeLinear")));
    }
}
