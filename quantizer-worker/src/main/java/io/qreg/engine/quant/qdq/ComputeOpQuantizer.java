package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Conv, ConvTranspose, Gemm and MatMul: Q/DQ on activation inputs, int8 symmetric weights behind a
 * DequantizeLinear (per channel on the output axis if asked), an int32 bias for Conv/ConvTranspose/Gemm,
 * and a Q/DQ on the output (after a Relu/Clip that directly follows, whose clamping the output range
 * then carries). This is the DQ → op → Q pattern ONNX Runtime fuses into QLinearConv / QLinearMatMul / QGemm. Its CPU provider
 * has no such fusion for ConvTranspose, which then runs in float on dequantized int8 weights (storage
 * a quarter of float, like ONNX Runtime's tool writes it).
 */
final class ComputeOpQuantizer implements QdqOpQuantizer {

    private final QdqState state;

    ComputeOpQuantizer(QdqState state) {
        this.state = state;
    }

    /** What one input of the node is: an activation to Q/DQ, a weight, or the bias. */
    private enum Role { ACTIVATION, WEIGHT, BIAS }

    private record Input(int index, Role role, int axis) {
    }

    @Override
    public Set<String> tensorsToCalibrate(ModelGraph graph, NodeProto node) {
        Set<String> tensors = new LinkedHashSet<>();
        for (Input in : inputs(graph, node)) {
            if (in.role() == Role.ACTIVATION) {
                tensors.add(node.getInput(in.index()));
            }
        }
        tensors.add(state.outputTarget(node).tensor());
        tensors.add(node.getOutput(0));
        tensors.removeIf(t -> !state.maybeFloat(t));
        return tensors;
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        String name = node.getName();
        String op = node.getOpType();
        List<Input> inputs = inputs(graph, node);
        List<QuantParams> activationParams = new ArrayList<>();
        for (Input in : inputs) {
            String tensor = node.getInput(in.index());
            if (!state.maybeFloat(tensor)) {
                return LayerReport.kept(name, op, LayerReport.Status.UNSUPPORTED, "input '" + tensor + "' is not float32");
            }
            if (in.role() != Role.ACTIVATION) {
                continue;
            }
            Optional<String> guard = state.guardReason(tensor);
            if (guard.isPresent()) {
                return LayerReport.kept(name, op, LayerReport.Status.KEPT_FLOAT,
                        "guard: input '" + tensor + "' stays float (" + guard.get() + ")");
            }
            Optional<QuantParams> p = state.activationParams(tensor);
            if (p.isEmpty()) {
                return LayerReport.kept(name, op, LayerReport.Status.KEPT_FLOAT,
                        "no calibrated range for input '" + tensor + "'");
            }
            activationParams.add(p.get());
        }
        if (activationParams.isEmpty()) {
            return LayerReport.kept(name, op, LayerReport.Status.KEPT_FLOAT, "no activation input (constant folding is"
                    + " the optimizer's job)");
        }
        QdqRewriter rewriter = state.rewriter();
        long before = 0;
        long after = 0;
        List<String> details = new ArrayList<>();
        WeightQuantizer.QuantizedWeight weight = null;
        // Weights and bias first: they rewire only this node, activations then rewire every consumer.
        for (Input in : inputs) {
            NodeProto current = rewriter.currentInstance(node);
            TensorProto tensor = graph.initializer(current.getInput(in.index())).orElse(null);
            if (in.role() == Role.WEIGHT) {
                long[] dims = Tensors.dims(tensor);
                weight = WeightQuantizer.quantize(Tensors.toFloats(tensor), dims, in.axis());
                before += QdqRewriter.floatBytes(tensor);
                after += rewriter.quantizeWeight(current, in.index(), weight, dims);
                details.add("weight " + (in.axis() < 0 ? "int8 per-tensor" : "int8 per-channel (axis " + in.axis() + ")"));
            } else if (in.role() == Role.BIAS && weight != null) {
                float inputScale = activationParams.get(0).scale();
                float[] bias = Tensors.toFloats(tensor);
                float[] scales = new float[bias.length];
                int[] q = WeightQuantizer.quantizeBias(bias, inputScale, weight.scales(), scales);
                before += QdqRewriter.floatBytes(tensor);
                // A per-tensor weight gives every bias element the same scale: write it once, as a scalar. Opsets
                // 10-12 have no per-axis DequantizeLinear, and this is what keeps their biases loadable.
                float[] written = weight.scales().length == 1 && scales.length > 0 ? new float[] {scales[0]} : scales;
                after += rewriter.quantizeBias(current, in.index(), q, written, Tensors.dims(tensor));
                details.add("bias int32 (scale = input scale x weight scale)");
            }
        }
        int a = 0;
        for (Input in : inputs) {
            if (in.role() == Role.ACTIVATION) {
                String tensor = rewriter.currentInstance(node).getInput(in.index());
                rewriter.quantizeActivation(tensor, activationParams.get(a++));
            }
        }
        details.add("activations int8 asymmetric");
        details.add(state.quantizeOutput(rewriter.currentInstance(node)));
        return LayerReport.quantized(name, op, String.join("; ", details), before, after);
    }

    private List<Input> inputs(ModelGraph graph, NodeProto node) {
        List<Input> inputs = new ArrayList<>();
        switch (node.getOpType()) {
            case "Conv" -> {
                inputs.add(new Input(0, Role.ACTIVATION, -1));
                inputs.add(weightOrActivation(graph, node, 1, 0));
                if (node.getInputCount() > 2 && !node.getInput(2).isEmpty() && isWeight(graph, node, 1)
                        && graph.isInitializer(node.getInput(2))) {
                    inputs.add(new Input(2, Role.BIAS, -1));
                }
            }
            case "ConvTranspose" -> {
                // W is [C_in, C_out/group, k...]: output channels are axis 1, and per channel only when
                // group = 1, where axis 1 holds every output channel the bias and the output scale index.
                inputs.add(new Input(0, Role.ACTIVATION, -1));
                inputs.add(weightOrActivation(graph, node, 1, Nodes.attrInt(node, "group", 1) == 1 ? 1 : -1));
                if (node.getInputCount() > 2 && !node.getInput(2).isEmpty() && isWeight(graph, node, 1)
                        && graph.isInitializer(node.getInput(2))) {
                    inputs.add(new Input(2, Role.BIAS, -1));
                }
            }
            case "Gemm" -> {
                inputs.add(new Input(0, Role.ACTIVATION, -1));
                int outputAxis = Nodes.attrInt(node, "transB", 0) == 1 ? 0 : 1;
                inputs.add(weightOrActivation(graph, node, 1, outputAxis));
                if (node.getInputCount() > 2 && !node.getInput(2).isEmpty() && biasQuantizable(graph, node)) {
                    inputs.add(new Input(2, Role.BIAS, -1));
                }
            }
            case "MatMul" -> {
                for (int i = 0; i < 2; i++) {
                    int rank = graph.initializer(node.getInput(i)).map(t -> t.getDimsCount()).orElse(0);
                    // B's output axis is its last; a constant A is quantized per tensor.
                    inputs.add(weightOrActivation(graph, node, i, i == 1 && rank >= 2 ? rank - 1 : -1));
                }
            }
            default -> throw new IllegalArgumentException("not a compute op: " + Nodes.describe(node));
        }
        return inputs;
    }

    private Input weightOrActivation(ModelGraph graph, NodeProto node, int index, int axis) {
        return isWeight(graph, node, index)
                ? new Input(index, Role.WEIGHT, state.perChannel() ? axis : -1)
                : new Input(index, Role.ACTIVATION, -1);
    }

    private static boolean isWeight(ModelGraph graph, NodeProto node, int index) {
        return graph.initializer(node.getInput(index))
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE).isPresent();
    }

    /**
     * A Gemm bias goes to int32 only when it is the per-output-column vector the int32 accumulator adds
     * as is: alpha = beta = 1 and C of shape [N]. Otherwise it stays float (still exact, just unfused).
     */
    private static boolean biasQuantizable(ModelGraph graph, NodeProto node) {
        if (Nodes.attrFloat(node, "alpha", 1f) != 1f || Nodes.attrFloat(node, "beta", 1f) != 1f
                || !isWeight(graph, node, 1) || !graph.isInitializer(node.getInput(2))) {
            return false;
        }
        TensorProto c = graph.initializer(node.getInput(2)).orElseThrow();
        TensorProto b = graph.initializer(node.getInput(1)).orElseThrow();
        long n = b.getDims(Nodes.attrInt(node, "transB", 0) == 1 ? 0 : 1);
        return c.getDataType() == TensorProto.DataType.FLOAT_VALUE && c.getDimsCount() == 1 && c.getDims(0) == n;
    }
}
