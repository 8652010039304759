package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The graph edits of the QDQ format. An activation gets exactly one QuantizeLinear/DequantizeLinear
 * pair, and every consumer but a comparison reads the DequantizeLinear output, so a tensor shared by several quantized
 * nodes is quantized once with one scale. A weight becomes an int8 initializer with a
 * DequantizeLinear in front of the node that uses it.
 */
final class QdqRewriter {

    /**
     * Readers that turn values into discrete decisions keep reading the float tensor: rounding moves a
     * value near a threshold across it (x in (0, scale/2) dequantizes to 0, so x > 0 flips), and a
     * flipped Where condition swaps whole values, not a rounding error's worth.
     */
    private static final Set<String> DECISIONS = Set.of("Greater", "GreaterOrEqual", "Less", "LessOrEqual", "Equal",
            "ArgMax", "ArgMin", "Sign");

    private final ModelGraph graph;
    /** Original activation name to the DequantizeLinear output replacing it. */
    private final Map<String, String> dequantized = new HashMap<>();
    /** DequantizeLinear output to the parameters it was quantized with. */
    private final Map<String, QuantParams> params = new HashMap<>();
    /** DequantizeLinear output to the activation it replaced. */
    private final Map<String, String> originals = new HashMap<>();

    QdqRewriter(ModelGraph graph) {
        this.graph = graph;
    }

    /** The parameters {@code tensor} was quantized with, if it is the output of one of our DequantizeLinear nodes. */
    Optional<QuantParams> paramsOf(String tensor) {
        return Optional.ofNullable(params.get(tensor));
    }

    /** The activation a DequantizeLinear output of this rewriter replaced, else {@code tensor} itself. */
    String original(String tensor) {
        return originals.getOrDefault(tensor, tensor);
    }

    /** Whether {@code tensor} is already a DequantizeLinear output this rewriter made. */
    boolean isDequantized(String tensor) {
        return params.containsKey(tensor);
    }

    /**
     * Puts a Q/DQ pair on {@code tensor} (once) and makes all its consumers read the DQ output;
     * returns that output's name. A DQ output passed in is returned unchanged.
     */
    String quantizeActivation(String tensor, QuantParams p) {
        if (params.containsKey(tensor)) {
            return tensor;
        }
        String existing = dequantized.get(tensor);
        if (existing != null) {
            return existing;
        }
        String scale = graph.uniqueName(tensor + "_scale");
        String zeroPoint = graph.uniqueName(tensor + "_zero_point");
        graph.addInitializer(Tensors.floats(scale, new long[0], new float[] {p.scale()}));
        graph.addInitializer(Tensors.int8(zeroPoint, new long[0], new byte[] {(byte) p.zeroPoint()}));
        String quantized = graph.uniqueName(tensor + "_quantized");
        String output = graph.uniqueName(tensor + "_DequantizeLinear_Output");
        List<NodeProto> readers = graph.consumers(tensor);
        graph.addNode(Nodes.node("QuantizeLinear", List.of(tensor, scale, zeroPoint), List.of(quantized),
                graph.uniqueName(tensor + "_QuantizeLinear")));
        graph.addNode(Nodes.node("DequantizeLinear", List.of(quantized, scale, zeroPoint), List.of(output),
                graph.uniqueName(tensor + "_DequantizeLinear")));
        for (NodeProto reader : readers) {
            if (!DECISIONS.contains(reader.getOpType())) {
                graph.replaceInput(currentInstance(reader), tensor, output);
            }
        }
        dequantized.put(tensor, output);
        params.put(output, p);
        originals.put(output, tensor);
        return output;
    }

    /**
     * Replaces input {@code index} of {@code node} (a float initializer) by the DequantizeLinear of its
     * int8 version; returns the bytes the int8 data and scales take. Only this node is rewired: another
     * float consumer of the same initializer keeps the float tensor.
     */
    long quantizeWeight(NodeProto node, int index, WeightQuantizer.QuantizedWeight q, long[] dims) {
        String weight = node.getInput(index);
        String base = graph.uniqueName(weight + "_quantized");
        graph.addInitializer(Tensors.int8(base, dims, q.values()));
        return addDequantize(node, weight, base, q.scales(), new byte[q.scales().length], q.axis())
                + q.values().length;
    }

    /** Replaces bias input {@code index} of {@code node} by the DequantizeLinear of its int32 version. */
    long quantizeBias(NodeProto node, int index, int[] values, float[] scales, long[] dims) {
        String bias = node.getInput(index);
        String base = graph.uniqueName(bias + "_quantized");
        graph.addInitializer(Tensors.int32(base, dims, values));
        // int32 DequantizeLinear needs an int32 zero point (or none); omitting it means 0.
        return addDequantize(node, bias, base, scales, null, scales.length > 1 ? 0 : -1) + 4L * values.length;
    }

    private long addDequantize(NodeProto node, String original, String quantized, float[] scales, byte[] zeroPoints,
            int axis) {
        boolean perChannel = scales.length > 1;
        long[] scaleDims = perChannel ? new long[] {scales.length} : new long[0];
        String scale = graph.uniqueName(original + "_scale");
        graph.addInitializer(Tensors.floats(scale, scaleDims, scales));
        List<String> inputs = new ArrayList<>(List.of(quantized, scale));
        if (zeroPoints != null) {
            String zp = graph.uniqueName(original + "_zero_point");
            graph.addInitializer(Tensors.int8(zp, scaleDims, zeroPoints));
            inputs.add(zp);
        }
        String output = graph.uniqueName(original + "_DequantizeLinear_Output");
        NodeProto dq = perChannel
                ? Nodes.node("DequantizeLinear", inputs, List.of(output), graph.uniqueName(original + "_DequantizeLinear"),
                        Nodes.intAttr("axis", axis))
                : Nodes.node("DequantizeLinear", inputs, List.of(output), graph.uniqueName(original + "_DequantizeLinear"));
        graph.addNode(dq);
        graph.replaceInput(currentInstance(node), original, output);
        if (graph.consumers(original).isEmpty()) {
            graph.removeInitializer(original); // the float copy is dead weight in the file
        }
        return 4L * scales.length + (zeroPoints == null ? 0 : zeroPoints.length);
    }

    /** Nodes are replaced on every edit; the one holding {@code node}'s first output is the live instance. */
    NodeProto currentInstance(NodeProto node) {
        return node.getOutputCount() == 0 ? node : graph.producer(node.getOutput(0)).orElse(node);
    }

    /** Bytes of a float initializer, for the layer report. */
    static long floatBytes(TensorProto tensor) {
        return 4L * Tensors.elementCount(tensor);
    }
}
