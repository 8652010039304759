package io.qreg.engine.quant.qdq.smooth;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rewrites a graph so that it computes the same function with a smoothed activation: X' = X / s feeds the group's
 * layers and each weight becomes diag(s)·W. The division goes into the LayerNormalization that produces X when
 * every reader of X is in the group (its scale and bias divided by s, no extra op), or into the MatMul/Gemm (and bias
 * Add) that produces X ({@link PrecedingLinear}); otherwise an explicit Mul by 1/s is inserted between X and the
 * group, leaving X's other readers as they were.
 */
final class SmoothingFold {

    /** Where 1/s went. */
    enum Kind { LAYER_NORMALIZATION, PRECEDING_LINEAR, MUL }

    /** @param mulNode the inserted Mul's name, or null when folded into the producer */
    record Result(Kind kind, String mulNode) {
    }

    private SmoothingFold() {
    }

    static Result apply(ModelGraph graph, SmoothGroup group, float[] scales) {
        for (NodeProto linear : group.linears()) {
            scaleWeightRows(graph, linear, scales);
        }
        Optional<NodeProto> norm = foldableLayerNorm(graph, group);
        if (norm.isPresent()) {
            NodeProto ln = norm.get();
            divide(graph, ln.getInput(1), scales);
            if (ln.getInputCount() > 2 && !ln.getInput(2).isEmpty()) {
                divide(graph, ln.getInput(2), scales);
            }
            return new Result(Kind.LAYER_NORMALIZATION, null);
        }
        if (onlyTheGroupReads(graph, group) && PrecedingLinear.fold(graph, group, scales)) {
            return new Result(Kind.PRECEDING_LINEAR, null);
        }
        return new Result(Kind.MUL, insertMul(graph, group, scales));
    }

    /** Where {@link #apply} will put 1/s for this group; changes nothing. */
    static Kind kind(ModelGraph graph, SmoothGroup group) {
        if (foldableLayerNorm(graph, group).isPresent()) {
            return Kind.LAYER_NORMALIZATION;
        }
        return onlyTheGroupReads(graph, group) && PrecedingLinear.canFold(graph, group) ? Kind.PRECEDING_LINEAR
                : Kind.MUL;
    }

    /** W [k, n] (or [n, k] under transB): input channel j multiplied by s_j. */
    private static void scaleWeightRows(ModelGraph graph, NodeProto linear, float[] scales) {
        TensorProto weight = graph.initializer(linear.getInput(1)).orElseThrow();
        long[] dims = Tensors.dims(weight);
        float[] w = Tensors.toFloats(weight);
        boolean transposed = SmoothGroup.transposedWeight(linear);
        int cols = Math.toIntExact(dims[1]);
        for (int i = 0; i < w.length; i++) {
            w[i] *= scales[transposed ? i % cols : i / cols];
        }
        graph.replaceInitializer(Tensors.floats(weight.getName(), dims, w));
    }

    /**
     * The LayerNormalization producing the group's activation, if 1/s can go into its scale and bias: X is its
     * first output and not a graph output, only the group reads X, it normalizes the last axis only (scale of k
     * elements), and its scale and bias are float initializers it alone reads.
     */
    private static Optional<NodeProto> foldableLayerNorm(ModelGraph graph, SmoothGroup group) {
        String x = group.activation();
        Optional<NodeProto> producer = graph.producer(x);
        if (producer.isEmpty() || !producer.get().getOpType().equals("LayerNormalization")
                || !producer.get().getDomain().isEmpty() || !producer.get().getOutput(0).equals(x)
                || !onlyTheGroupReads(graph, group)) {
            return Optional.empty();
        }
        NodeProto ln = producer.get();
        List<String> params = ln.getInputCount() > 2 && !ln.getInput(2).isEmpty()
                ? List.of(ln.getInput(1), ln.getInput(2)) : List.of(ln.getInput(1));
        for (String param : params) {
            TensorProto t = graph.initializer(param).orElse(null);
            if (t == null || t.getDataType() != TensorProto.DataType.FLOAT_VALUE
                    || Tensors.elementCount(t) != group.channels() || graph.consumers(param).size() != 1) {
                return Optional.empty();
            }
        }
        return Optional.of(ln);
    }

    /** Whether the group's layers are the activation's only readers (and it is no graph output). */
    private static boolean onlyTheGroupReads(ModelGraph graph, SmoothGroup group) {
        Set<NodeProto> readers = new HashSet<>(graph.consumers(group.activation()));
        return !graph.isGraphOutput(group.activation()) && readers.equals(new HashSet<>(group.linears()));
    }

    static void divide(ModelGraph graph, String name, float[] scales) {
        TensorProto tensor = graph.initializer(name).orElseThrow();
        float[] v = Tensors.toFloats(tensor);
        for (int j = 0; j < v.length; j++) {
            v[j] /= scales[j];
        }
        graph.replaceInitializer(Tensors.floats(name, Tensors.dims(tensor), v));
    }

    /** X' = Mul(X, 1/s) before the group's layers, which then read X'. Returns the Mul's name. */
    private static String insertMul(ModelGraph graph, SmoothGroup group, float[] scales) {
        String x = group.activation();
        float[] inverse = new float[scales.length];
        for (int j = 0; j < scales.length; j++) {
            inverse[j] = 1f / scales[j];
        }
        String factors = graph.uniqueName(x + "_smooth_factors");
        graph.addInitializer(Tensors.floats(factors, new long[] {scales.length}, inverse));
        String smoothed = graph.uniqueName(x + "_smoothed");
        String name = graph.uniqueName(x + "_SmoothQuant_Mul");
        NodeProto first = group.linears().get(0);
        graph.insertBefore(first, Nodes.node("Mul", List.of(x, factors), List.of(smoothed), name));
        for (NodeProto linear : group.linears()) {
            graph.replaceInput(linear, x, smoothed);
        }
        return name;
    }
}
