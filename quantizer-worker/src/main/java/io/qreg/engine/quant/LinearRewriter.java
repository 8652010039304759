package io.qreg.engine.quant;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.List;
import java.util.function.Function;

/**
 * Puts a quantized replacement in place of a {@link ConstantLinear}'s node: the replacement computes
 * {@code A · W}; a bias it did not fuse is added by an {@code Add} after it; initializers nothing reads
 * any more are dropped.
 */
public final class LinearRewriter {

    private LinearRewriter() {
    }

    /**
     * @param core builds the node computing {@code A · W} (plus the bias, if {@code fuseBias}) into the
     *     given output name
     */
    public static void replace(ModelGraph graph, ConstantLinear layer, boolean fuseBias,
            Function<String, NodeProto> core) {
        boolean separateBias = layer.bias() != null && !fuseBias;
        String coreOut = separateBias ? graph.uniqueName(layer.output() + "_nobias") : layer.output();
        String biasName = layer.bias() == null ? null : ensureBias(graph, layer.bias());
        NodeProto original = layer.node();
        graph.removeNode(original);
        NodeProto replacement = graph.addNode(core.apply(coreOut));
        if (separateBias) {
            graph.insertAfter(replacement, Nodes.node("Add", List.of(coreOut, biasName), List.of(layer.output()),
                    graph.uniqueName(layer.baseName() + "_bias_add")));
        }
        dropIfUnused(graph, layer.weightName());
        if (original.getInputCount() > 2 && !original.getInput(2).isEmpty()) {
            dropIfUnused(graph, original.getInput(2));
        }
    }

    /** The name of a bias initializer, adding it if it is new (a beta-scaled copy). */
    public static String ensureBias(ModelGraph graph, TensorProto bias) {
        if (graph.initializer(bias.getName()).isEmpty()) {
            graph.addInitializer(bias);
        }
        return bias.getName();
    }

    public static void dropIfUnused(ModelGraph graph, String initializer) {
        if (graph.consumers(initializer).isEmpty() && !graph.isGraphOutput(initializer)) {
            graph.removeInitializer(initializer);
        }
    }
}
