package io.qreg.engine.quant.weightonly;

import io.qreg.engine.model.Nodes;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
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
 *   <li>{@code gram}: XᵀX over the batch's rows, [k, k] ({@code Gemm} with transA, so MLAS's multi-threaded GEMM
 *       does the k²·rows multiply-adds that dominate GPTQ's capture, and only k² floats cross JNI per batch);</li>
 *   <li>{@code absSum}: Σ|x| per input channel over the rows, [k];</li>
 *   <li>{@code shape}: the rows and k of the 2-D view, as floats (the batch's row count).</li>
 * </ul>
 * Non-finite activations count as 0 ({@code x − x} is NaN exactly for NaN and ±∞), so one bad sample cannot
 * poison H. Nodes that no captured input depends on are dropped (a pass for the first blocks does not run the
 * rest of the model), and so are the initializers only they read; the graph inputs all stay, since every
 * calibration array is fed.
 */
final class GramGraph {

    /** The three statistics outputs of one captured tensor. */
    record Outputs(String gram, String absSum, String shape) {
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
        String rowsAxis = fresh(taken, "qreg_capture/axis0");
        constants.add(Tensors.int64(rowsAxis, new long[] {1}, new long[] {0}));
        int index = 0;
        for (Map.Entry<String, Integer> e : widths.entrySet()) {
            String x = e.getKey();
            String p = "qreg_capture/" + index++ + "/";
            String shape2d = fresh(taken, p + "shape2d");
            constants.add(Tensors.int64(shape2d, new long[] {2}, new long[] {-1, e.getValue()}));
            String x2d = fresh(taken, p + "x2d");
            String diff = fresh(taken, p + "x_minus_x");
            String bad = fresh(taken, p + "non_finite");
            String clean = fresh(taken, p + "clean");
            String abs = fresh(taken, p + "abs");
            String shapeInts = fresh(taken, p + "shape_ints");
            Outputs out = new Outputs(fresh(taken, p + "gram"), fresh(taken, p + "abs_sum"),
                    fresh(taken, p + "shape"));
            added.add(Nodes.node("Reshape", List.of(x, shape2d), List.of(x2d), fresh(taken, p + "Reshape")));
            added.add(Nodes.node("Sub", List.of(x2d, x2d), List.of(diff), fresh(taken, p + "Sub")));
            added.add(Nodes.node("IsNaN", List.of(diff), List.of(bad), fresh(taken, p + "IsNaN")));
            added.add(Nodes.node("Where", List.of(bad, zero, x2d), List.of(clean), fresh(taken, p + "Where")));
            added.add(Nodes.node("Gemm", List.of(clean, clean), List.of(out.gram()), fresh(taken, p + "Gemm"),
                    Nodes.intAttr("transA", 1)));
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
            cut.addOutput(floatOutput(o.gram()));
            cut.addOutput(floatOutput(o.absSum()));
            cut.addOutput(floatOutput(o.shape()));
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
        Deque<String> todo = new ArrayDeque<>();
        added.forEach(n -> todo.addAll(n.getInputList()));
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (name.isEmpty() || !needed.add(name)) {
                continue;
            }
            NodeProto producer = producers.get(name);
            if (producer != null && visited.add(producer)) {
                todo.addAll(producer.getInputList());
                needed.addAll(producer.getOutputList());
                subgraphInputs(producer, todo);
            }
        }
        return needed;
    }

    private static void subgraphInputs(NodeProto node, Deque<String> todo) {
        for (AttributeProto a : node.getAttributeList()) {
            List<GraphProto> graphs = new ArrayList<>(a.getGraphsList());
            if (a.hasG()) {
                graphs.add(a.getG());
            }
            for (GraphProto g : graphs) {
                g.getNodeList().forEach(n -> {
                    todo.addAll(n.getInputList());
                    subgraphInputs(n, todo);
                });
            }
        }
    }

    private static ValueInfoProto floatOutput(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)))
                .build();
    }

    private static String fresh(Set<String> taken, String base) {
        String name = base;
        for (int i = 1; !taken.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }
}
