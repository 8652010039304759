package io.qreg.engine.quant.weightonly;

import io.qreg.engine.model.Nodes;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The capture model of one {@link LayerInputCapture} pass: the model cut down to what the captured layer inputs
 * depend on, with each input X (any shape, last axis the k input channels) reduced inside ONNX Runtime to its
 * batch statistics instead of being exposed itself:
 * <ul>
 *   <li>{@code gram}: XᵀX over the batch's rows, as the blocks on and above the diagonal of a split into column
 *       parts ({@link #parts}; {@code Slice}, then {@code Gemm} with transA, so MLAS's multi-threaded GEMM does the
 *       multiply-adds that dominate GPTQ's capture, and only about k²/2 floats cross JNI per batch);</li>
 *   <li>{@code absSum}: Σ|x| per input channel over the rows, [k];</li>
 *   <li>{@code shape}: the rows and k of the 2-D view, as floats (the batch's row count).</li>
 * </ul>
 * Non-finite activations count as 0 ({@code x − x} is NaN exactly for NaN and ±∞), so one bad sample cannot
 * poison H. Nodes that no captured input depends on are dropped (a pass for the first blocks does not run the
 * rest of the model), and so are the initializers only they read; the graph inputs all stay, since every
 * calibration array is fed.
 */
final class GramGraph {

    /** The statistics outputs of one captured tensor: XᵀX's blocks on and above the diagonal, Σ|x|, the shape. */
    record Outputs(List<GramBlock> gram, String absSum, String shape) {
    }

    /** Output {@code name} holds XᵀX[row0 .. row0 + rows)[col0 .. col0 + cols), with row0 ≤ col0. */
    record GramBlock(String name, int row0, int rows, int col0, int cols) {
    }

    /**
     * Wide inputs are split into column parts and only the Gram blocks on and above the diagonal are multiplied:
     * with s parts that is s(s + 1)/2 of s² blocks, 5/8 of the work at 4 parts, 3/4 at 2.
     */
    static int parts(int k) {
        return k >= 1024 ? 4 : k >= 256 ? 2 : 1;
    }

    private final ModelProto model;
    private final Map<String, Outputs> outputs = new LinkedHashMap<>();

    private GramGraph(ModelProto model) {
        this.model = model;
    }

    ModelProto model() {
        return model;
    }

    /** Captured tensor to the names of its statistics outputs. */
    Map<String, Outputs> outputs() {
        return outputs;
    }

    /**
     * @param source the model as it stands (a snapshot; not modified)
     * @param widths captured tensor to its k
     * @param opset the default-domain opset of the model (ReduceSum takes its axes as an input from 13)
     */
    static GramGraph of(ModelProto source, Map<String, Integer> widths, long opset) {
        GraphProto graph = source.getGraph();
        Set<String> taken = new HashSet<>();
        graph.getNodeList().forEach(n -> {
            taken.addAll(n.getOutputList());
            taken.add(n.getName());
        });
        graph.getInitializerList().forEach(t -> taken.add(t.getName()));
        graph.getInputList().forEach(i -> taken.add(i.getName()));

        List<NodeProto> added = new ArrayList<>();
        List<TensorProto> constants = new ArrayList<>();
        Map<String, Outputs> named = new LinkedHashMap<>();
        String zero = fresh(taken, "qreg_capture/zero");
        constants.add(Tensors.floats(zero, new long[0], new float[] {0f}));
        // Constants only where a node reads them: ONNX Runtime warns about unused initializers.
        String rowsAxis = fresh(taken, "qreg_capture/axis0");
        if (opset >= 13) {
            constants.add(Tensors.int64(rowsAxis, new long[] {1}, new long[] {0}));
        }
        String columnsAxis = fresh(taken, "qreg_capture/axis1");
        if (widths.values().stream().anyMatch(k -> parts(k) > 1)) {
            constants.add(Tensors.int64(columnsAxis, new long[] {1}, new long[] {1}));
        }
        int index = 0;
        for (Map.Entry<String, Integer> e : widths.entrySet()) {
            String x = e.getKey();
            int k = e.getValue();
            String p = "qreg_capture/" + index++ + "/";
            String shape2d = fresh(taken, p + "shape2d");
            constants.add(Tensors.int64(shape2d, new long[] {2}, new long[] {-1, k}));
            String x2d = fresh(taken, p + "x2d");
            String diff = fresh(taken, p + "x_minus_x");
            String bad = fresh(taken, p + "non_finite");
            String clean = fresh(taken, p + "clean");
            String abs = fresh(taken, p + "abs");
            String shapeInts = fresh(taken, p + "shape_ints");
            added.add(Nodes.node("Reshape", List.of(x, shape2d), List.of(x2d), fresh(taken, p + "Reshape")));
            added.add(Nodes.node("Sub", List.of(x2d, x2d), List.of(diff), fresh(taken, p + "Sub")));
            added.add(Nodes.node("IsNaN", List.of(diff), List.of(bad), fresh(taken, p + "IsNaN")));
            added.add(Nodes.node("Where", List.of(bad, zero, x2d), List.of(clean), fresh(taken, p + "Where")));
            int parts = parts(k);
            int[] bounds = new int[parts + 1];
            List<String> pieces = new ArrayList<>();
            for (int part = 0; part < parts; part++) {
                bounds[part + 1] = (int) ((long) k * (part + 1) / parts);
                if (parts == 1) {
                    pieces.add(clean);
                    continue;
                }
                String piece = fresh(taken, p + "part" + part);
                String starts = fresh(taken, piece + "/starts");
                String ends = fresh(taken, piece + "/ends");
                constants.add(Tensors.int64(starts, new long[] {1}, new long[] {bounds[part]}));
                constants.add(Tensors.int64(ends, new long[] {1}, new long[] {bounds[part + 1]}));
                added.add(Nodes.node("Slice", List.of(clean, starts, ends, columnsAxis), List.of(piece),
                        fresh(taken, piece + "/Slice")));
                pieces.add(piece);
            }
            List<GramBlock> blocks = new ArrayList<>();
            for (int a = 0; a < parts; a++) {
                for (int b = a; b < parts; b++) {
                    GramBlock block = new GramBlock(fresh(taken, p + "gram" + a + b), bounds[a],
                            bounds[a + 1] - bounds[a], bounds[b], bounds[b + 1] - bounds[b]);
                    added.add(Nodes.node("Gemm", List.of(pieces.get(a), pieces.get(b)), List.of(block.name()),
                            fresh(taken, p + "Gemm" + a + b), Nodes.intAttr("transA", 1)));
                    blocks.add(block);
                }
            }
            Outputs out = new Outputs(blocks, fresh(taken, p + "abs_sum"), fresh(taken, p + "shape"));
            added.add(Nodes.node("Abs", List.of(clean), List.of(abs), fresh(taken, p + "Abs")));
            added.add(opset >= 13
                    ? Nodes.node("ReduceSum", List.of(abs, rowsAxis), List.of(out.absSum()),
                            fresh(taken, p + "ReduceSum"), Nodes.intAttr("keepdims", 0))
                    : Nodes.node("ReduceSum", List.of(abs), List.of(out.absSum()), fresh(taken, p + "ReduceSum"),
                            Nodes.intsAttr("axes", 0), Nodes.intAttr("keepdims", 0)));
            added.add(Nodes.node("Shape", List.of(clean), List.of(shapeInts), fresh(taken, p + "Shape")));
            added.add(Nodes.node("Cast", List.of(shapeInts), List.of(out.shape()), fresh(taken, p + "Cast"),
                    Nodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)));
            named.put(x, out);
        }

        Set<String> needed = needed(graph.getNodeList(), added);
        GraphProto.Builder cut = graph.toBuilder().clearNode().clearInitializer().clearOutput().clearValueInfo();
        graph.getNodeList().stream().filter(n -> n.getOutputList().stream().anyMatch(needed::contains))
                .forEach(cut::addNode);
        added.forEach(cut::addNode);
        // Old models list initializers among the graph inputs too: those stay, or the input would need a feed.
        Set<String> inputs = new HashSet<>();
        graph.getInputList().forEach(i -> inputs.add(i.getName()));
        graph.getInitializerList().stream().filter(t -> needed.contains(t.getName()) || inputs.contains(t.getName()))
                .forEach(cut::addInitializer);
        constants.forEach(cut::addInitializer);
        graph.getValueInfoList().stream().filter(v -> needed.contains(v.getName())).forEach(cut::addValueInfo);
        named.values().forEach(o -> {
            o.gram().forEach(block -> cut.addOutput(Nodes.valueInfo(block.name(), TensorProto.DataType.FLOAT)));
            cut.addOutput(Nodes.valueInfo(o.absSum(), TensorProto.DataType.FLOAT));
            cut.addOutput(Nodes.valueInfo(o.shape(), TensorProto.DataType.FLOAT));
        });
        GramGraph result = new GramGraph(source.toBuilder().setGraph(cut).build());
        result.outputs.putAll(named);
        return result;
    }

    /**
     * Every tensor the added statistics nodes depend on, walking producers back from them; a node with subgraphs
     * (If, Loop, Scan) depends on every name its subgraphs read too.
     */
    private static Set<String> needed(List<NodeProto> nodes, List<NodeProto> added) {
        Map<String, NodeProto> producers = new HashMap<>();
        nodes.forEach(n -> n.getOutputList().forEach(o -> producers.put(o, n)));
        Set<String> needed = new HashSet<>();
        Set<NodeProto> visited = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        added.forEach(n -> pending.addAll(n.getInputList()));
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (name.isEmpty() || !needed.add(name)) {
                continue;
            }
            NodeProto producer = producers.get(name);
            if (producer != null && visited.add(producer)) {
                pending.addAll(producer.getInputList());
                needed.addAll(producer.getOutputList());
                subgraphInputs(producer, pending);
            }
        }
        return needed;
    }

    private static void subgraphInputs(NodeProto node, Deque<String> pending) {
        for (AttributeProto a : node.getAttributeList()) {
            List<GraphProto> graphs = new ArrayList<>(a.getGraphsList());
            if (a.hasG()) {
                graphs.add(a.getG());
            }
            for (GraphProto g : graphs) {
                g.getNodeList().forEach(n -> {
                    pending.addAll(n.getInputList());
                    subgraphInputs(n, pending);
                });
            }
        }
    }

    private static String fresh(Set<String> taken, String base) {
        String name = base;
        for (int i = 1; !taken.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }
}
