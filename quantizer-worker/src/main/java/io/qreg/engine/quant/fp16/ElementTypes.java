package io.qreg.engine.quant.fp16;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto.DataType;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The element type of every tensor in a graph, inferred forward from the inputs, initializers and
 * declared value_info, because exporters often write no value_info for intermediate tensors. The rules
 * cover the ops that change element types (Cast, Shape, comparisons, ...); every other default-domain
 * op outputs the type of its first input, which holds for the elementwise, data-movement, matmul and
 * normalization ops. Outputs of ops in other domains are unknown (absent), so callers leave them alone.
 */
final class ElementTypes {

    private static final Set<String> INT64_OUT = Set.of("Shape", "Size", "NonZero", "ArgMax", "ArgMin");
    private static final Set<String> BOOL_OUT = Set.of("Equal", "Less", "Greater", "LessOrEqual",
            "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf");

    private final Map<String, Integer> types = new HashMap<>();

    private ElementTypes() {
    }

    /** Requires the graph's nodes in topological order (as loaded or after {@code topologicalSort}). */
    static ElementTypes infer(ModelGraph graph) {
        ElementTypes t = new ElementTypes();
        for (var init : graph.initializers()) {
            t.types.put(init.getName(), init.getDataType());
        }
        for (NodeProto node : graph.nodes()) {
            for (String input : node.getInputList()) {
                if (!t.types.containsKey(input)) {
                    graph.elementType(input).ifPresent(type -> t.types.put(input, type));
                }
            }
            for (int i = 0; i < node.getOutputCount(); i++) {
                String out = node.getOutput(i);
                Optional<Integer> type = t.rule(node, i);
                if (graph.elementType(out).isPresent()) {
                    type = Optional.of(graph.elementType(out).getAsInt()); // declared wins
                }
                type.ifPresent(v -> t.types.put(out, v));
            }
        }
        return t;
    }

    Optional<Integer> of(String tensor) {
        return Optional.ofNullable(types.get(tensor));
    }

    boolean isFloat(String tensor) {
        return types.getOrDefault(tensor, -1) == DataType.FLOAT_VALUE;
    }

    private Optional<Integer> rule(NodeProto node, int output) {
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
            return Optional.empty();
        }
        String op = node.getOpType();
        if (INT64_OUT.contains(op) || (output == 1 && (op.equals("TopK") || op.equals("MaxPool")))) {
            return Optional.of(DataType.INT64_VALUE);
        }
        if (BOOL_OUT.contains(op)) {
            return Optional.of(DataType.BOOL_VALUE);
        }
        return switch (op) {
            case "Cast" -> Optional.of((int) Nodes.attrInt(node, "to", 0));
            case "CastLike" -> of(node.getInput(1));
            case "Where" -> of(node.getInput(1));
            case "Constant" -> constantType(node);
            case "ConstantOfShape" -> Optional.of(Nodes.attrTensor(node, "value").map(v -> v.getDataType())
                    .orElse(DataType.FLOAT_VALUE));
            default -> node.getInputList().stream().filter(s -> !s.isEmpty()).findFirst().flatMap(this::of);
        };
    }

    private static Optional<Integer> constantType(NodeProto node) {
        for (AttributeProto a : node.getAttributeList()) {
            switch (a.getName()) {
                case "value": return Optional.of(a.getT().getDataType());
                case "value_float", "value_floats": return Optional.of(DataType.FLOAT_VALUE);
                case "value_int", "value_ints": return Optional.of(DataType.INT64_VALUE);
                case "value_string", "value_strings": return Optional.of(DataType.STRING_VALUE);
                default: break;
            }
        }
        return Optional.empty();
    }
}
