package io.qreg.engine.quant.qdq.smooth;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One activation and the linear layers (MatMul/Gemm with a constant weight) that read it. They share one set of
 * smoothing factors, as the reference implementation does for q, k and v behind one LayerNorm: the activation can
 * be divided by only one s, so s comes from the maximum over all their weights.
 *
 * @param activation the tensor whose channels (last axis) are smoothed
 * @param linears the MatMul/Gemm nodes reading it as their activation input (input 0)
 * @param channels the size of the activation's last axis, the weights' input dimension
 */
record SmoothGroup(String activation, List<NodeProto> linears, int channels) {

    /** The groups of {@code graph} that SmoothQuant can smooth, in graph order of their first layer. */
    static List<SmoothGroup> find(ModelGraph graph, QuantizationOptions options) {
        Map<String, List<NodeProto>> byActivation = new LinkedHashMap<>();
        Map<String, Integer> channels = new LinkedHashMap<>();
        for (NodeProto node : graph.nodes()) {
            int k = inputChannels(graph, node, options);
            if (k > 0 && channels.getOrDefault(node.getInput(0), k) == k) {
                byActivation.computeIfAbsent(node.getInput(0), a -> new ArrayList<>()).add(node);
                channels.put(node.getInput(0), k);
            }
        }
        List<SmoothGroup> groups = new ArrayList<>();
        byActivation.forEach((activation, nodes) -> groups.add(new SmoothGroup(activation, List.copyOf(nodes),
                channels.get(activation))));
        return groups;
    }

    /**
     * The weight's input dimension k if {@code node} is a linear layer whose weight SmoothQuant may scale: a
     * default-domain MatMul or Gemm (not transposing A) the options allow, with a float 2-D initializer as B that
     * no other node reads (scaling a shared weight would change its other user), and an activation as A; else 0.
     */
    private static int inputChannels(ModelGraph graph, NodeProto node, QuantizationOptions options) {
        String op = node.getOpType();
        if (!node.getDomain().isEmpty() || !(op.equals("MatMul") || op.equals("Gemm")) || node.getInputCount() < 2
                || !options.allows(node.getName(), op)) {
            return 0;
        }
        if (op.equals("Gemm") && Nodes.attrInt(node, "transA", 0) != 0) {
            return 0;
        }
        String activation = node.getInput(0);
        if (graph.isInitializer(activation) || graph.consumers(node.getInput(1)).size() != 1) {
            return 0;
        }
        TensorProto weight = graph.initializer(node.getInput(1)).orElse(null);
        if (weight == null || weight.getDataType() != TensorProto.DataType.FLOAT_VALUE
                || Tensors.dims(weight).length != 2) {
            return 0;
        }
        long[] dims = Tensors.dims(weight);
        return Math.toIntExact(transposedWeight(node) ? dims[1] : dims[0]);
    }

    /** Whether the weight is stored [n, k] (Gemm with transB) rather than [k, n]. */
    static boolean transposedWeight(NodeProto node) {
        return node.getOpType().equals("Gemm") && Nodes.attrInt(node, "transB", 0) != 0;
    }
}
