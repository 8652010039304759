package io.qreg.engine.quant.qdq.smooth;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Folding 1/s into the linear layer that produces the smoothed activation: X = A·W0 (+ b), a MatMul or Gemm with a
 * constant weight, optionally followed by an Add of a constant bias (how exporters write a Linear). Dividing output
 * channel j of W0 (and b_j) by s_j makes the layer write X / s directly, with no extra op.
 */
final class PrecedingLinear {

    private PrecedingLinear() {
    }

    /**
     * What a fold changes: the producing layer's weight, whether its output channels are rows ([n, k] under a
     * Gemm's transB) rather than columns, and the biases (the Gemm's C, the following Add's constant) to divide.
     */
    private record Plan(String weight, boolean rows, List<String> biases) {
    }

    /**
     * Whether {@link #fold} would fold 1/s into the producer of the group's activation: changes nothing. The caller
     * has checked that only the group reads the activation.
     */
    static boolean canFold(ModelGraph graph, SmoothGroup group) {
        return plan(graph, group).isPresent();
    }

    /**
     * Folds 1/s into the producer of the group's activation if it is such a layer, its weight and bias are float
     * initializers only it reads, and nothing else reads its intermediate output; the caller has checked that
     * only the group reads the activation. Returns whether it folded; when it did not, nothing was changed.
     */
    static boolean fold(ModelGraph graph, SmoothGroup group, float[] scales) {
        Optional<Plan> plan = plan(graph, group);
        if (plan.isEmpty()) {
            return false;
        }
        TensorProto weight = graph.initializer(plan.get().weight()).orElseThrow();
        long[] dims = Tensors.dims(weight);
        boolean rows = plan.get().rows();
        float[] w = Tensors.toFloats(weight);
        int cols = Math.toIntExact(dims[1]);
        for (int i = 0; i < w.length; i++) {
            w[i] /= scales[rows ? i / cols : i % cols];
        }
        graph.replaceInitializer(Tensors.floats(weight.getName(), dims, w));
        for (String bias : plan.get().biases()) {
            SmoothingFold.divide(graph, bias, scales);
        }
        return true;
    }

    private static Optional<Plan> plan(ModelGraph graph, SmoothGroup group) {
        int k = group.channels();
        Optional<NodeProto> producer = graph.producer(group.activation());
        if (producer.isEmpty() || !producer.get().getDomain().isEmpty()) {
            return Optional.empty();
        }
        List<String> biases = new ArrayList<>();
        NodeProto linear = producer.get();
        if (linear.getOpType().equals("Add") && linear.getInputCount() == 2) {
            int bias = graph.isInitializer(linear.getInput(1)) ? 1 : graph.isInitializer(linear.getInput(0)) ? 0 : -1;
            if (bias < 0 || !owned(graph, linear.getInput(bias), k)) {
                return Optional.empty();
            }
            String product = linear.getInput(1 - bias);
            Optional<NodeProto> mm = graph.producer(product);
            if (mm.isEmpty() || !mm.get().getDomain().isEmpty() || graph.consumers(product).size() != 1
                    || graph.isGraphOutput(product)) {
                return Optional.empty();
            }
            biases.add(linear.getInput(bias));
            linear = mm.get();
        }
        boolean gemm = linear.getOpType().equals("Gemm");
        if (!(gemm || linear.getOpType().equals("MatMul")) || linear.getInputCount() < 2
                || !owned(graph, linear.getInput(1), -1)) {
            return Optional.empty();
        }
        long[] dims = Tensors.dims(graph.initializer(linear.getInput(1)).orElseThrow());
        // Output channels are W0's columns, or its rows for a Gemm with transB.
        boolean rows = gemm && SmoothGroup.transposedWeight(linear);
        if (dims.length != 2 || dims[rows ? 0 : 1] != k) {
            return Optional.empty();
        }
        if (gemm && linear.getInputCount() > 2 && !linear.getInput(2).isEmpty()) {
            if (!owned(graph, linear.getInput(2), k)) {
                return Optional.empty();
            }
            biases.add(linear.getInput(2));
        }
        return Optional.of(new Plan(linear.getInput(1), rows, biases));
    }

    /**
     * Whether {@code name} is a float initializer that one node alone reads, with {@code count} elements all on its
     * last axis (a bias broadcast over rows) when count is not -1.
     */
    private static boolean owned(ModelGraph graph, String name, int count) {
        TensorProto t = graph.initializer(name).orElse(null);
        if (t == null || t.getDataType() != TensorProto.DataType.FLOAT_VALUE || graph.consumers(name).size() != 1) {
            return false;
        }
        long[] dims = Tensors.dims(t);
        return count < 0 || (Tensors.elementCount(t) == count && dims.length > 0 && dims[dims.length - 1] == count);
    }
}
