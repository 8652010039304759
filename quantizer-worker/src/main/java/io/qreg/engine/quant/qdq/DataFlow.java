package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which tensors carry data that varies with the model's inputs, and which are float. Elementwise ops
 * (Add, Mul, Concat, Where) appear both on activations and in shape arithmetic (a Concat of int64
 * dimensions, a Mul by 1/sqrt(head size) computed from a Shape); only the first are worth an int8
 * kernel, and the second must never reach calibration, which declares every tensor it reads as float.
 *
 * <p>A tensor is <em>data</em> when it is a graph input or the output of a node reading data, except
 * through Shape and Size, whose outputs describe a tensor rather than carry its values. Element types
 * come from the declarations, else are inferred per op (Cast's {@code to}, comparisons are bool, most
 * ops keep their first input's type), so exporters that omit value_info are handled.
 */
final class DataFlow {

    private static final Set<String> METADATA = Set.of("Shape", "Size");
    private static final Set<String> BOOLEAN = Set.of("Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual",
            "Not", "And", "Or", "Xor", "IsNaN", "IsInf");
    private static final Set<String> SUBGRAPHS = Set.of("If", "Loop", "Scan");
    private static final Set<String> INT64 = Set.of("Shape", "Size", "ArgMax", "ArgMin", "NonZero");

    private final Set<String> data = new HashSet<>();
    private final Map<String, Integer> types = new HashMap<>();

    private DataFlow() {
    }

    /** @param graph topologically sorted */
    static DataFlow of(ModelGraph graph) {
        DataFlow flow = new DataFlow();
        flow.data.addAll(graph.inputNames());
        graph.initializers().forEach(t -> flow.types.put(t.getName(), t.getDataType()));
        for (NodeProto node : graph.nodes()) {
            boolean readsData = !METADATA.contains(node.getOpType())
                    && node.getInputList().stream().anyMatch(flow.data::contains);
            for (int i = 0; i < node.getOutputCount(); i++) {
                String out = node.getOutput(i);
                if (readsData) {
                    flow.data.add(out);
                }
                OptionalInt declared = graph.elementType(out);
                Integer type = declared.isPresent() ? Integer.valueOf(declared.getAsInt())
                        : flow.inferType(graph, node, i);
                if (type != null) {
                    flow.types.put(out, type);
                }
            }
        }
        return flow;
    }

    /** Whether {@code tensor}'s values depend on the model's inputs (not on constants and shapes alone). */
    boolean isData(String tensor) {
        return data.contains(tensor);
    }

    /** Whether {@code tensor} is float32, or of a type neither declared nor inferable. */
    boolean maybeFloat(ModelGraph graph, String tensor) {
        OptionalInt declared = graph.elementType(tensor);
        Integer type = declared.isPresent() ? Integer.valueOf(declared.getAsInt()) : types.get(tensor);
        return type == null || type == TensorProto.DataType.FLOAT_VALUE;
    }

    private Integer inferType(ModelGraph graph, NodeProto node, int output) {
        String op = node.getOpType();
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx") || SUBGRAPHS.contains(op)) {
            return null; // types this analysis does not know stay unknown, as before it
        }
        if (op.equals("DequantizeLinear")) {
            return TensorProto.DataType.FLOAT_VALUE;
        }
        if (op.equals("QuantizeLinear")) {
            return node.getInputCount() > 2 && !node.getInput(2).isEmpty() ? types.get(node.getInput(2))
                    : Integer.valueOf(TensorProto.DataType.UINT8_VALUE);
        }
        if (BOOLEAN.contains(op)) {
            return TensorProto.DataType.BOOL_VALUE;
        }
        if (INT64.contains(op) || (op.equals("TopK") && output == 1)) {
            return TensorProto.DataType.INT64_VALUE;
        }
        if (op.equals("Cast")) {
            return (int) Nodes.attrInt(node, "to", TensorProto.DataType.UNDEFINED_VALUE);
        }
        if (op.equals("Constant") || op.equals("ConstantOfShape")) {
            return Nodes.attrTensor(node, "value").map(TensorProto::getDataType)
                    .orElse(op.equals("ConstantOfShape") ? TensorProto.DataType.FLOAT_VALUE : null);
        }
        // Where's type is its data inputs'; Gather/Slice/Reshape/elementwise ops keep their first input's.
        int from = op.equals("Where") ? 1 : 0;
        if (node.getInputCount() <= from || node.getInput(from).isEmpty()) {
            return null;
        }
        String input = node.getInput(from);
        OptionalInt declared = graph.elementType(input);
        return declared.isPresent() ? Integer.valueOf(declared.getAsInt()) : types.get(input);
    }
}
