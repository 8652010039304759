package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.Coverage;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.onnx.ir.NodeProto;

/**
 * Relu and Clip: the compute op before them already put its output Q after them, so the activation is
 * carried by the quantized range (zero point at -128 clamps negatives exactly as Relu does, and ONNX
 * Runtime then removes the op). This entry only reports that outcome.
 */
final class FoldedActivationQuantizer implements QdqOpQuantizer {

    private final QdqState state;

    FoldedActivationQuantizer(QdqState state) {
        this.state = state;
    }

    @Override
    public Coverage coverage() {
        return Coverage.FOLDED;
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        return state.foldedInto(node.getOutput(0))
                .map(into -> LayerReport.quantized(node.getName(), node.getOpType(),
                        "folded into the output range of " + into, 0, 0))
                .orElseGet(() -> LayerReport.kept(node.getName(), node.getOpType(), LayerReport.Status.KEPT_FLOAT,
                        "not the only consumer of a quantized op's output, so no range carries it"));
    }
}
