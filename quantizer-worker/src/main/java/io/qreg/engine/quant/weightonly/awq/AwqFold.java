package io.qreg.engine.quant.weightonly.awq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Applies AWQ's scales to a float graph without changing what it computes: each layer's weight rows (input channels)
 * are multiplied by s, and the activation they read is divided by s. The division is folded into the op that
 * produces the activation where the graph allows it, so it costs nothing at inference:
 * <ul>
 * <li>a LayerNormalization: its scale and bias divided by s;
 * <li>a MatMul or Gemm with a constant weight, or such a MatMul followed by an Add of a constant [k] bias: its weight's
 * output columns and its bias divided by s;
 * </ul>
 * provided the activation feeds nothing but the given layers (they then all share s) and is not a graph output.
 * Otherwise an explicit {@code Mul} by 1/s is inserted before the layers. After the fold, round-to-nearest of each
 * layer's (now scaled) weight is exactly {@link AwqResult#quantized()} for a single layer, so the ordinary
 * MatMulNBits writer can take it from there.
 */
public final class AwqFold {

    private AwqFold() {
    }

    /** Where the division by s went. */
    public enum Target { LAYER_NORMALIZATION, PRECEDING_LINEAR, MUL }

    /** @param node the op the division was folded into, or the inserted Mul */
    public record Fold(Target target, String node) {
    }

    public static Fold apply(ModelGraph graph, NodeProto layer, float[] scales) {
        return apply(graph, List.of(layer), scales);
    }

    /**
     * @param layers MatMul/Gemm nodes with constant weights that all read the same activation as input 0
     * @param scales s, one per input channel of the layers
     */
    public static Fold apply(ModelGraph graph, List<NodeProto> layers, float[] scales) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no layers to scale");
        }
        String activation = layers.get(0).getInput(0);
        Set<String> outputs = new HashSet<>();
        for (NodeProto layer : layers) {
            if (!layer.getInput(0).equals(activation)) {
                throw new IllegalArgumentException("layers read different activations: '" + activation + "' and '"
                        + layer.getInput(0) + "'");
            }
            outputs.add(layer.getOutput(0));
        }
        float[] inverse = new float[scales.length];
        for (int j = 0; j < scales.length; j++) {
            inverse[j] = 1f / scales[j];
        }
        List<NodeProto> current = new ArrayList<>();
        for (NodeProto layer : layers) {
            current.add(scaleInputChannels(graph, layer, scales));
        }
        boolean onlyTheseLayers = !graph.isGraphOutput(activation)
                && graph.consumers(activation).stream().allMatch(c -> outputs.contains(c.getOutput(0)))
                && graph.consumers(activation).size() == layers.size();
        Optional<NodeProto> producer = graph.producer(activation);
        if (onlyTheseLayers && producer.isPresent()) {
            Optional<Fold> folded = foldInto(graph, producer.get(), activation, inverse);
            if (folded.isPresent()) {
                return folded.get();
            }
        }
        String scaled = graph.uniqueName(activation + "_awq");
        String inverseName = graph.uniqueName(activation + "_awq_inverse_scales");
        graph.addInitializer(Tensors.floats(inverseName, new long[] {inverse.length}, inverse));
        NodeProto mul = Nodes.node("Mul", List.of(activation, inverseName), List.of(scaled),
                graph.uniqueName(activation + "_awq_mul"));
        graph.insertBefore(current.get(0), mul);
        for (NodeProto layer : current) {
            graph.replaceInput(layer, activation, scaled);
        }
        return new Fold(Target.MUL, mul.getName());
    }

    private static Optional<Fold> foldInto(ModelGraph graph, NodeProto producer, String activation,
            float[] inverse) {
        int k = inverse.length;
        switch (producer.getOpType()) {
            case "LayerNormalization": {
                if (!producer.getOutput(0).equals(activation) || !isVector(graph, producer.getInput(1), k)
                        || (producer.getInputCount() > 2 && !producer.getInput(2).isEmpty()
                                && !isVector(graph, producer.getInput(2), k))) {
                    return Optional.empty();
                }
                NodeProto ln = multiplyVector(graph, producer, 1, inverse);
                if (ln.getInputCount() > 2 && !ln.getInput(2).isEmpty()) {
                    ln = multiplyVector(graph, ln, 2, inverse);
                }
                return Optional.of(new Fold(Target.LAYER_NORMALIZATION, ln.getName()));
            }
            case "MatMul":
            case "Gemm":
                return foldIntoLinear(graph, producer, inverse, null);
            case "Add": {
                for (int side = 0; side < 2; side++) {
                    String bias = producer.getInput(side);
                    Optional<NodeProto> linear = graph.producer(producer.getInput(1 - side));
                    if (isVector(graph, bias, k) && linear.isPresent()
                            && graph.consumers(linear.get().getOutput(0)).size() == 1
                            && !graph.isGraphOutput(linear.get().getOutput(0))) {
                        Optional<Fold> fold = foldIntoLinear(graph, linear.get(), inverse, producer);
                        if (fold.isPresent()) {
                            NodeProto add = graph.producer(activation).orElseThrow();
                            multiplyVector(graph, add, add.getInputList().indexOf(bias), inverse);
                            return fold;
                        }
                    }
                }
                return Optional.empty();
            }
            default:
                return Optional.empty();
        }
    }

    /** Divides a constant-weight MatMul/Gemm's output columns (and a Gemm's [k] bias) by s. */
    private static Optional<Fold> foldIntoLinear(ModelGraph graph, NodeProto linear, float[] inverse,
            NodeProto biasAdd) {
        int k = inverse.length;
        Optional<TensorProto> weight = linear.getInputCount() > 1 ? graph.initializer(linear.getInput(1))
                : Optional.empty();
        if (weight.isEmpty() || weight.get().getDataType() != TensorProto.DataType.FLOAT_VALUE
                || weight.get().getDimsCount() != 2) {
            return Optional.empty();
        }
        boolean gemm = linear.getOpType().equals("Gemm");
        boolean transB = gemm && Nodes.attrInt(linear, "transB", 0) != 0;
        if (gemm && Nodes.attrInt(linear, "transA", 0) != 0) {
            return Optional.empty();
        }
        boolean hasBias = gemm && linear.getInputCount() > 2 && !linear.getInput(2).isEmpty();
        if (hasBias && !isVector(graph, linear.getInput(2), k)) {
            return Optional.empty();
        }
        long[] dims = Tensors.dims(weight.get());
        int outputs = (int) (transB ? dims[0] : dims[1]);
        if (outputs != k) {
            return Optional.empty();
        }
        float[] values = Tensors.toFloats(weight.get());
        int rows = (int) dims[0];
        int cols = (int) dims[1];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                values[r * cols + c] *= inverse[transB ? r : c];
            }
        }
        NodeProto updated = replaceConstant(graph, linear, 1, values);
        if (hasBias) {
            updated = multiplyVector(graph, updated, 2, inverse);
        }
        return Optional.of(new Fold(Target.PRECEDING_LINEAR, updated.getName()));
    }

    /** Multiplies the layer's weight rows (its input channels) by s; returns the node, updated if it was rewired. */
    private static NodeProto scaleInputChannels(ModelGraph graph, NodeProto layer, float[] scales) {
        if (!layer.getOpType().equals("MatMul") && !layer.getOpType().equals("Gemm")) {
            throw new IllegalArgumentException(Nodes.describe(layer) + " is not a MatMul or Gemm");
        }
        TensorProto weight = graph.initializer(layer.getInput(1)).orElseThrow(() -> new IllegalArgumentException(
                Nodes.describe(layer) + " has no constant weight"));
        long[] dims = Tensors.dims(weight);
        boolean transB = layer.getOpType().equals("Gemm") && Nodes.attrInt(layer, "transB", 0) != 0;
        if (dims.length != 2 || (transB ? dims[1] : dims[0]) != scales.length) {
            throw new IllegalArgumentException(Nodes.describe(layer) + "'s weight does not have " + scales.length
                    + " input channels");
        }
        float[] values = Tensors.toFloats(weight);
        int rows = (int) dims[0];
        int cols = (int) dims[1];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                values[r * cols + c] *= scales[transB ? c : r];
            }
        }
        return replaceConstant(graph, layer, 1, values);
    }

    private static NodeProto multiplyVector(ModelGraph graph, NodeProto node, int input, float[] factors) {
        float[] values = Tensors.toFloats(graph.initializer(node.getInput(input)).orElseThrow());
        for (int j = 0; j < values.length; j++) {
            values[j] *= factors[j];
        }
        return replaceConstant(graph, node, input, values);
    }

    /** Writes new values for a node's constant input: in place if only this node reads it, else as a copy. */
    private static NodeProto replaceConstant(ModelGraph graph, NodeProto node, int input, float[] values) {
        String name = node.getInput(input);
        long[] dims = Tensors.dims(graph.initializer(name).orElseThrow());
        boolean shared = graph.consumers(name).size() > 1 || graph.isGraphOutput(name);
        if (!shared) {
            graph.replaceInitializer(Tensors.floats(name, dims, values));
            return node;
        }
        String copy = graph.uniqueName(name + "_awq");
        graph.addInitializer(Tensors.floats(copy, dims, values));
        NodeProto.Builder b = node.toBuilder().setInput(input, copy);
        return graph.replaceNode(node, b.build());
    }

    private static boolean isVector(ModelGraph graph, String name, int k) {
        Optional<TensorProto> t = graph.initializer(name);
        return t.isPresent() && t.get().getDataType() == TensorProto.DataType.FLOAT_VALUE
                && t.get().getDimsCount() == 1 && t.get().getDims(0) == k;
    }
}
