package io.qreg.engine.quant.fp16;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.numeric.Float16;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorProto.DataType;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which nodes of a graph compute in float16, decided for the whole graph before any node is rewritten,
 * and the bookkeeping of the rewrite: the float16 names of their outputs, the float16 copies of
 * constants and the Casts at every float16/float32 boundary.
 *
 * <p>A node computes in float16 when its op is one of {@link Fp16Pass#HALF_OPS}, every tensor it reads
 * or writes has a known element type, it touches at least one float32 tensor, and none of the float32
 * tensors it reads can hold values beyond float16's ±65504. That last rule is the mask guard: a
 * constant such as an additive attention mask of -1e9 becomes -inf in float16, and -inf − -inf in a
 * softmax is NaN; such constants, and every tensor computed from them until an op with a bounded output
 * (Softmax, Sigmoid, ...), stay float32 together with the nodes that read them.
 */
final class HalfPlan {

    /** Ops whose output range does not follow their input's, so huge inputs do not make huge outputs. */
    private static final Set<String> BOUNDED_OUTPUT = Set.of("Softmax", "LogSoftmax", "Sigmoid", "Tanh", "Erf",
            "LayerNormalization", "BatchNormalization", "InstanceNormalization", "Shape", "Size");

    private final ElementTypes types;
    /** Keys ({@link #key}) of the nodes that compute in float16. */
    private final Set<String> halfNodes = new HashSet<>();
    /** Float32 tensors that may hold values beyond float16's range, to the constant they come from. */
    private final Map<String, String> huge = new HashMap<>();
    /** Outputs of float16 nodes that something float32 (a node or the graph output) still reads. */
    private final Set<String> floatReaders = new HashSet<>();
    private final Map<String, String> halfNames = new HashMap<>();
    private final Map<String, String> halfInputs = new HashMap<>();
    /** Float32 outputs of float16 nodes, by their original names. */
    private final Set<String> halfOutputs = new HashSet<>();
    /** Constants and initializers that got a float16 copy: dropped at the end if nothing reads them. */
    private final Set<String> replacedConstants = new LinkedHashSet<>();

    private HalfPlan(ElementTypes types) {
        this.types = types;
    }

    static HalfPlan plan(ModelGraph graph, QuantizationOptions options) {
        graph.topologicalSort();
        HalfPlan plan = new HalfPlan(ElementTypes.infer(graph));
        for (TensorProto init : graph.initializers()) {
            if (init.getDataType() == DataType.FLOAT_VALUE && beyondHalf(init)) {
                plan.huge.put(init.getName(), init.getName());
            }
        }
        for (NodeProto node : graph.nodes()) {
            if (node.getOpType().equals("Constant") && node.getOutputCount() == 1) {
                Nodes.attrTensor(node, "value").filter(t -> t.getDataType() == DataType.FLOAT_VALUE)
                        .filter(HalfPlan::beyondHalf).ifPresent(t -> plan.huge.put(node.getOutput(0), node.getOutput(0)));
            }
            Optional<String> hugeInput = node.getInputList().stream().filter(plan.huge::containsKey).findFirst();
            if (hugeInput.isPresent() && !BOUNDED_OUTPUT.contains(node.getOpType())) {
                for (String out : node.getOutputList()) {
                    if (plan.types.isFloat(out)) {
                        plan.huge.put(out, plan.huge.get(hugeInput.get()));
                    }
                }
            }
            if (Fp16Pass.HALF_OPS.contains(node.getOpType()) && node.getDomain().isEmpty()
                    && options.allows(node.getName(), node.getOpType()) && plan.whyFloat(node).isEmpty()) {
                plan.halfNodes.add(key(node));
            }
        }
        for (NodeProto node : graph.nodes()) {
            if (plan.isHalf(node)) {
                for (String out : node.getOutputList()) {
                    if (plan.types.isFloat(out)) {
                        plan.halfOutputs.add(out);
                    }
                    boolean floatReader = graph.isGraphOutput(out)
                            || graph.consumers(out).stream().anyMatch(c -> !plan.isHalf(c));
                    if (floatReader && plan.types.isFloat(out)) {
                        plan.floatReaders.add(out);
                    }
                }
            }
        }
        return plan;
    }

    boolean isHalf(NodeProto node) {
        return halfNodes.contains(key(node));
    }

    /** Why a node stays float32, or empty if it may compute in float16 (op type aside). */
    Optional<String> whyFloat(NodeProto node) {
        boolean touchesFloat = false;
        for (String t : concat(node.getInputList(), node.getOutputList())) {
            if (t.isEmpty()) {
                continue;
            }
            Optional<Integer> type = types.of(t);
            if (type.isEmpty()) {
                return Optional.of("element type of '" + t + "' is unknown");
            }
            touchesFloat |= type.get() == DataType.FLOAT_VALUE;
        }
        if (!touchesFloat) {
            return Optional.of("no float32 tensor");
        }
        for (String in : node.getInputList()) {
            if (huge.containsKey(in)) {
                return Optional.of("reads '" + in + "', derived from constant '" + huge.get(in)
                        + "' with values beyond float16's ±" + (int) Float16.MAX_VALUE
                        + " (e.g. an additive -1e9 mask that would become -inf and turn softmax into NaN)");
            }
        }
        return Optional.empty();
    }

    boolean touchesFloat(NodeProto node) {
        return concat(node.getInputList(), node.getOutputList()).stream().anyMatch(types::isFloat);
    }

    /**
     * Rewrites a float16 node in place: float32 inputs read their float16 form, float32 outputs get
     * float16 names, and a Cast back to the original float32 name is added where a float32 reader needs
     * it, so nodes and graph outputs outside the float16 region are untouched.
     */
    NodeProto convert(ModelGraph graph, NodeProto node) {
        NodeProto.Builder b = node.toBuilder();
        for (int i = 0; i < b.getInputCount(); i++) {
            String in = b.getInput(i);
            if (!in.isEmpty() && types.isFloat(in)) {
                b.setInput(i, halfInput(graph, in));
            }
        }
        for (int i = 0; i < b.getOutputCount(); i++) {
            String out = b.getOutput(i);
            if (!out.isEmpty() && types.isFloat(out)) {
                b.setOutput(i, halfName(graph, out));
            }
        }
        NodeProto converted = graph.replaceNode(node, b.build());
        for (String out : node.getOutputList()) {
            if (floatReaders.contains(out)) {
                graph.insertAfter(converted, cast(graph, halfName(graph, out), out, DataType.FLOAT));
            }
        }
        return converted;
    }

    /** Drops the float32 constants whose every reader now reads their float16 copy. */
    void dropReplacedConstants(ModelGraph graph) {
        for (String name : replacedConstants) {
            if (!graph.consumers(name).isEmpty() || graph.isGraphOutput(name)) {
                continue;
            }
            if (graph.isInitializer(name)) {
                graph.removeInitializer(name);
            } else {
                graph.producer(name).ifPresent(graph::removeNode);
            }
        }
    }

    private String halfName(ModelGraph graph, String floatName) {
        return halfNames.computeIfAbsent(floatName, n -> {
            String name = graph.uniqueName(n + "_fp16");
            declareHalf(graph, n, name);
            return name;
        });
    }

    /** The float16 form of a float32 tensor some float16 node reads, made once and shared. */
    private String halfInput(ModelGraph graph, String in) {
        if (halfOutputs.contains(in)) {
            return halfName(graph, in);
        }
        return halfInputs.computeIfAbsent(in, n -> {
            Optional<TensorProto> init = graph.initializer(n);
            if (init.isPresent()) {
                String name = graph.uniqueName(n + "_fp16");
                graph.addInitializer(Tensors.float16(name, Tensors.dims(init.get()), Tensors.toFloats(init.get())));
                replacedConstants.add(n);
                return name;
            }
            Optional<NodeProto> constant = graph.producer(n).filter(p -> p.getOpType().equals("Constant"))
                    .filter(p -> Nodes.attrTensor(p, "value").isPresent());
            if (constant.isPresent()) {
                TensorProto value = Nodes.attrTensor(constant.get(), "value").get();
                String name = graph.uniqueName(n + "_fp16");
                graph.addNode(Nodes.node("Constant", List.of(), List.of(name), graph.uniqueName(name + "_Constant"),
                        Nodes.tensorAttr("value", Tensors.float16("", Tensors.dims(value), Tensors.toFloats(value)))));
                declareHalf(graph, n, name);
                replacedConstants.add(n);
                return name;
            }
            String name = graph.uniqueName(n + "_to_fp16");
            graph.addNode(cast(graph, n, name, DataType.FLOAT16));
            return name;
        });
    }

    private static NodeProto cast(ModelGraph graph, String from, String to, DataType type) {
        return Nodes.node("Cast", List.of(from), List.of(to), graph.uniqueName(to + "_Cast"),
                Nodes.intAttr("to", type.getNumber()));
    }

    /** value_info for a new float16 tensor, with the float32 original's shape when it is declared. */
    private static void declareHalf(ModelGraph graph, String original, String half) {
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT16_VALUE);
        graph.valueInfo(original).filter(v -> v.getType().getTensorType().hasShape())
                .ifPresent(v -> tensor.setShape(v.getType().getTensorType().getShape()));
        graph.putValueInfo(ValueInfoProto.newBuilder().setName(half)
                .setType(TypeProto.newBuilder().setTensorType(tensor)).build());
    }

    private static boolean beyondHalf(TensorProto tensor) {
        for (float v : Tensors.toFloats(tensor)) {
            if (Float.isFinite(v) && Math.abs(v) > Float16.MAX_VALUE) {
                return true;
            }
        }
        return false;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** Node outputs are unique in a valid graph, so the first one names the node across rewrites. */
    private static String key(NodeProto node) {
        return node.getOutputCount() == 0 ? "node:" + node.getName() : node.getOutput(0);
    }
}
