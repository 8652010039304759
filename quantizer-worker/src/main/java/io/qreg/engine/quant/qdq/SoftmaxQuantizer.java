package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.onnx.ir.NodeProto;
import java.util.Optional;
import java.util.Set;

/**
 * Softmax: Q/DQ on the input from its calibrated range and on the output with ONNX Runtime's fixed
 * [0, 1] parameters, the pattern its QDQ transformer turns into QLinearSoftmax. Its input is where an
 * additive attention mask lands, so this is the op the mask guard most often keeps in float.
 */
final class SoftmaxQuantizer implements QdqOpQuantizer {

    private final QdqState state;

    SoftmaxQuantizer(QdqState state) {
        this.state = state;
    }

    @Override
    public Set<String> tensorsToCalibrate(ModelGraph graph, NodeProto node) {
        return state.maybeFloat(node.getInput(0)) ? Set.of(node.getInput(0)) : Set.of();
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        String input = node.getInput(0);
        if (!state.maybeFloat(input)) {
            return LayerReport.kept(node.getName(), node.getOpType(), LayerReport.Status.UNSUPPORTED,
                    "input '" + input + "' is not float32");
        }
        Optional<String> guard = state.guardReason(input);
        if (guard.isPresent()) {
            return LayerReport.kept(node.getName(), node.getOpType(), LayerReport.Status.KEPT_FLOAT,
                    "guard: input '" + input + "' stays float (" + guard.get() + ")");
        }
        Optional<QuantParams> p = state.activationParams(input);
        if (p.isEmpty()) {
            return LayerReport.kept(node.getName(), node.getOpType(), LayerReport.Status.KEPT_FLOAT,
                    "no calibrated range for input '" + input + "'");
        }
        QdqRewriter rewriter = state.rewriter();
        rewriter.quantizeActivation(input, p.get());
        String output = rewriter.currentInstance(node).getOutput(0);
        String detail = "input int8 asymmetric";
        if (!graph.isGraphOutput(output) && !graph.consumers(output).isEmpty()) {
            rewriter.quantizeActivation(output, QuantParams.SOFTMAX_OUTPUT);
            detail += "; output int8 with the fixed scale 1/256";
        }
        return LayerReport.quantized(node.getName(), node.getOpType(), detail, 0, 0);
    }
}
