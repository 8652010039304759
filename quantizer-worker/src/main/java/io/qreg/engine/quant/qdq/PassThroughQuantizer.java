package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.Coverage;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.Optional;

/**
 * Ops that only move or select values (MaxPool, Reshape, Transpose, Flatten, Squeeze, Unsqueeze, Slice,
 * Split, Pad, Resize): when their input is quantized, each output gets a Q/DQ with the <em>same</em>
 * scale and zero point, so the int8 values pass through unchanged and ONNX Runtime can run the op on
 * int8 (or drop the DQ/Q around it). They never introduce a quantization of their own. Resize
 * interpolates, but only between neighbours, so its output stays inside its input's range.
 */
final class PassThroughQuantizer implements QdqOpQuantizer {

    private final QdqState state;
    private final long minOpset;

    PassThroughQuantizer(QdqState state) {
        this(state, 0);
    }

    /** @param minOpset the opset from which ONNX Runtime runs the op on int8 (Resize, Pad: 11; MaxPool: 12) */
    PassThroughQuantizer(QdqState state, long minOpset) {
        this.state = state;
        this.minOpset = minOpset;
    }

    @Override
    public Coverage coverage() {
        return Coverage.SHARES_SCALE;
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
            return kept(node, "input '" + input + "' is not quantized, nothing to pass through");
        }
        if (state.opset() < minOpset) {
            return kept(node, "ONNX Runtime runs " + node.getOpType() + " on int8 from opset " + minOpset
                    + "; the model imports " + state.opset());
        }
        Optional<String> padProblem = padValueProblem(graph, node, p.get());
        if (padProblem.isPresent()) {
            return kept(node, padProblem.get());
        }
        int passed = 0;
        for (String output : node.getOutputList()) {
            if (!output.isEmpty() && !graph.isGraphOutput(output) && !graph.consumers(output).isEmpty()) {
                state.rewriter().quantizeActivation(output, p.get());
                passed++;
            }
        }
        if (passed == 0) {
            return kept(node, "output is a graph output");
        }
        return LayerReport.quantized(node.getName(), node.getOpType(), "int8 pass-through, same scale as its input"
                + (node.getOutputCount() > 1 ? " on " + passed + " outputs" : ""), 0, 0);
    }

    /**
     * A constant-mode Pad writes its pad value into the output; sharing the input's scale only works when
     * that value lies in the input's range, which always holds for 0 (ranges are widened to include it).
     */
    private static Optional<String> padValueProblem(ModelGraph graph, NodeProto node, QuantParams p) {
        if (!node.getOpType().equals("Pad") || !Nodes.attrString(node, "mode", "constant").equals("constant")
                || node.getInputCount() < 3 || node.getInput(2).isEmpty()) {
            return Optional.empty();
        }
        Optional<TensorProto> value = graph.initializer(node.getInput(2));
        if (value.isEmpty() || value.get().getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return Optional.of("pad value '" + node.getInput(2) + "' is not a float constant");
        }
        float v = Tensors.toFloats(value.get())[0];
        double q = Math.rint(v / p.scale()) + p.zeroPoint();
        if (q < QuantParams.QMIN || q > QuantParams.QMAX) {
            return Optional.of("pad value " + v + " lies outside its input's int8 range");
        }
        return Optional.empty();
    }

    private static LayerReport kept(NodeProto node, String reason) {
        return LayerReport.kept(node.getName(), node.getOpType(), LayerReport.Status.KEPT_FLOAT, reason);
    }
}
