package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.onnx.ir.NodeProto;
import java.util.Optional;
import java.util.Set;

/**
 * Ops that only move or select values (MaxPool, Reshape, Transpose, Flatten, Squeeze, Unsqueeze):
 * when their input is quantized, their output gets a Q/DQ with the <em>same</em> scale and zero point,
 * so the int8 values pass through unchanged and ONNX Runtime can run the op on int8 (or drop the
 * DQ/Q around it). They never introduce a quantization of their own.
 */
final class PassThroughQuantizer implements QdqOpQuantizer {

    private final QdqState state;

    PassThroughQuantizer(QdqState state) {
        this.state = state;
    }

    @Override
    public Set<String> tensorsToCalibrate(ModelGraph graph, NodeProto node) {
        return Set.of();
    }

    @Override
    public boolean considers(ModelGraph graph, NodeProto node) {
        return state.rewriter().isDequantized(node.getInput(0));
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        String input = node.getInput(0);
        Optional<QuantParams> p = state.rewriter().paramsOf(input);
        if (p.isEmpty()) {
            return LayerReport.kept(node.getName(), node.getOpType(), LayerReport.Status.KEPT_FLOAT,
                    "input '" + input + "' is not quantized, nothing to pass through");
        }
        String output = node.getOutput(0);
        if (graph.isGraphOutput(output) || graph.consumers(output).isEmpty()) {
            return LayerReport.kept(node.getName(), node.getOpType(), LayerReport.Status.KEPT_FLOAT,
                    "output is a graph output");
        }
        state.rewriter().quantizeActivation(output, p.get());
        return LayerReport.quantized(node.getName(), node.getOpType(), "int8 pass-through, same scale as its input",
                0, 0);
    }
}
