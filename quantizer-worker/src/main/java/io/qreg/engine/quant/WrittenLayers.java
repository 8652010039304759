package io.qreg.engine.quant;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the weight-bearing nodes of a graph and how their weights are stored in it: a float initializer
 * (fp32, or fp16 after the fp16 method), an integer initializer behind a DequantizeLinear (int8-static's
 * QDQ), the int8 input of {@code DynamicQuantizeMatMul}, the uint8 kernel of {@code ConvInteger}, the int8 W
 * and R of {@code DynamicQuantizeLSTM}, the packed blocks of {@code MatMulNBits}, or an int8 table gathered
 * then dequantized (embeddings). It looks only at what is in the graph, so a layer
 * a pass meant to quantize but left float is counted as float.
 */
public final class WrittenLayers {

    private static final String MS = "com.microsoft";

    /** Default-domain op types to the inputs that hold their weights (biases are not weights). */
    private static final Map<String, List<Integer>> WEIGHT_INPUTS = Map.ofEntries(
            Map.entry("MatMul", List.of(0, 1)),
            Map.entry("Gemm", List.of(0, 1)),
            Map.entry("Conv", List.of(1)),
            Map.entry("ConvTranspose", List.of(1)),
            Map.entry("DeformConv", List.of(1)),
            Map.entry("LSTM", List.of(1, 2)),
            Map.entry("GRU", List.of(1, 2)),
            Map.entry("RNN", List.of(1, 2)),
            Map.entry("Einsum", List.of(0, 1, 2)),
            Map.entry("Gather", List.of(0)));

    /** The op types that hold weights: the layers a method's coverage is described by. */
    static Set<String> weightOpTypes() {
        Set<String> types = new TreeSet<>(WEIGHT_INPUTS.keySet());
        types.add("Attention");
        return types;
    }

    /** Ops a constant weight may pass through unchanged in precision on its way to its layer. */
    private static final Set<String> TRANSPARENT = Set.of("Identity", "Cast", "Transpose", "Reshape", "Squeeze",
            "Unsqueeze", "Flatten");

    private final ModelGraph graph;

    private WrittenLayers(ModelGraph graph) {
        this.graph = graph;
    }

    /** The weight-bearing nodes of {@code graph} in graph order. */
    public static List<WrittenLayer> of(ModelGraph graph) {
        WrittenLayers census = new WrittenLayers(graph);
        List<WrittenLayer> layers = new ArrayList<>();
        for (NodeProto node : graph.nodes()) {
            census.layer(node).ifPresent(layers::add);
        }
        return layers;
    }

    /** How one weight tensor is stored. */
    private record Storage(WeightPrecision precision, long parameters, long bits) {
    }

    private Optional<WrittenLayer> layer(NodeProto node) {
        String name = Nodes.reportName(node);
        String domain = node.getDomain();
        if (domain.equals(MS)) {
            return microsoftLayer(node, name);
        }
        if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
            return Optional.empty();
        }
        if (node.getOpType().equals("ConvInteger")) {
            return convInteger(node, name);
        }
        List<Integer> inputs = WEIGHT_INPUTS.get(node.getOpType());
        if (inputs == null) {
            return Optional.empty();
        }
        if (node.getOpType().equals("Gather")) {
            Optional<Storage> table = gatheredTable(node);
            return table.map(s -> new WrittenLayer(name, node.getOpType(), s.precision(), s.parameters(), s.bits()));
        }
        return weightInputs(node, name, inputs);
    }

    /** A layer whose weights are the given inputs, stored as {@link #weight} finds them; empty without any. */
    private Optional<WrittenLayer> weightInputs(NodeProto node, String name, List<Integer> inputs) {
        WeightPrecision precision = null;
        long parameters = 0;
        long bits = 0;
        for (int index : inputs) {
            if (index >= node.getInputCount() || node.getInput(index).isEmpty()) {
                continue;
            }
            Optional<Storage> weight = weight(node.getInput(index));
            if (weight.isPresent()) {
                precision = weight.get().precision().widest(precision);
                parameters += weight.get().parameters();
                bits += weight.get().bits();
            }
        }
        return precision == null ? Optional.empty()
                : Optional.of(new WrittenLayer(name, node.getOpType(), precision, parameters, bits));
    }

    private Optional<WrittenLayer> microsoftLayer(NodeProto node, String name) {
        switch (node.getOpType()) {
            case "DynamicQuantizeMatMul" -> {
                Optional<TensorProto> b = constant(node.getInput(1));
                if (b.isEmpty()) {
                    return Optional.empty();
                }
                long parameters = Tensors.elementCount(b.get());
                return Optional.of(new WrittenLayer(name, node.getOpType(), integerPrecision(b.get()), parameters,
                        storedBits(b.get()) + inputBits(node, 2) + inputBits(node, 3)));
            }
            case "DynamicQuantizeLSTM" -> {
                Optional<TensorProto> w = constant(node.getInput(1));
                Optional<TensorProto> r = constant(node.getInput(2));
                if (w.isEmpty() || r.isEmpty()) {
                    return Optional.empty();
                }
                long bits = storedBits(w.get()) + storedBits(r.get());
                for (int scaleOrZeroPoint = 8; scaleOrZeroPoint < 12; scaleOrZeroPoint++) {
                    bits += inputBits(node, scaleOrZeroPoint);
                }
                return Optional.of(new WrittenLayer(name, node.getOpType(), integerPrecision(w.get()),
                        Tensors.elementCount(w.get()) + Tensors.elementCount(r.get()), bits));
            }
            case "MatMulNBits" -> {
                long parameters = Nodes.attrInt(node, "K", 0) * Nodes.attrInt(node, "N", 0);
                WeightPrecision precision = Nodes.attrInt(node, "bits", 4) <= 4 ? WeightPrecision.INT4
                        : WeightPrecision.INT8;
                return Optional.of(new WrittenLayer(name, node.getOpType(), precision, parameters,
                        inputBits(node, 1) + inputBits(node, 2) + inputBits(node, 3)));
            }
            // ONNX Runtime's fused Attention holds the QKV projection as its input 1.
            case "Attention" -> {
                return weightInputs(node, name, List.of(1));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /**
     * int8-dynamic's Conv: integer codes and their zero point feed ConvInteger; the weight scale is a
     * constant of the {@code Mul(x_scale, w_scale)} whose product rescales the Cast of its output.
     */
    private Optional<WrittenLayer> convInteger(NodeProto node, String name) {
        Optional<TensorProto> codes = node.getInputCount() > 1 ? constant(node.getInput(1)) : Optional.empty();
        if (codes.isEmpty() || integerBits(codes.get()) == 0) {
            return Optional.empty();
        }
        long bits = storedBits(codes.get()) + inputBits(node, 3);
        for (NodeProto cast : graph.consumers(node.getOutput(0))) {
            for (NodeProto rescale : graph.consumers(cast.getOutput(0))) {
                for (String factor : rescale.getInputList()) {
                    Optional<NodeProto> scales = graph.producer(factor).filter(p -> p.getOpType().equals("Mul"));
                    if (scales.isPresent()) {
                        bits += inputBits(scales.get(), 0) + inputBits(scales.get(), 1);
                    }
                }
            }
        }
        return Optional.of(new WrittenLayer(name, node.getOpType(), integerPrecision(codes.get()),
                Tensors.elementCount(codes.get()), bits));
    }

    /**
     * A Gather's constant table: float (or float16) as is, or integer codes whose gathered rows a
     * DequantizeLinear turns back into floats. An integer table read any other way is a lookup of ids or
     * shapes, not an embedding.
     */
    private Optional<Storage> gatheredTable(NodeProto gather) {
        if (gather.getInputCount() < 2) {
            return Optional.empty();
        }
        Optional<Storage> direct = weight(gather.getInput(0));
        if (direct.isPresent()) {
            return direct;
        }
        Optional<TensorProto> table = constant(gather.getInput(0));
        if (table.isEmpty() || integerBits(table.get()) == 0) {
            return Optional.empty();
        }
        List<NodeProto> readers = graph.consumers(gather.getOutput(0));
        if (readers.size() != 1 || !readers.get(0).getOpType().equals("DequantizeLinear")) {
            return Optional.empty();
        }
        NodeProto dequantize = readers.get(0);
        return Optional.of(new Storage(integerPrecision(table.get()), Tensors.elementCount(table.get()),
                storedBits(table.get()) + inputBits(dequantize, 1) + inputBits(dequantize, 2)));
    }

    /** The storage behind a weight input, or empty when it is an activation (computed at run time). */
    private Optional<Storage> weight(String tensor) {
        Optional<TensorProto> constant = constant(tensor);
        if (constant.isPresent()) {
            TensorProto t = constant.get();
            WeightPrecision precision = floatPrecision(t);
            return precision == null ? Optional.empty()
                    : Optional.of(new Storage(precision, Tensors.elementCount(t), storedBits(t)));
        }
        Optional<NodeProto> producer = graph.producer(tensor);
        if (producer.isEmpty() || producer.get().getInputCount() == 0) {
            return Optional.empty();
        }
        NodeProto p = producer.get();
        if (p.getOpType().equals("DequantizeLinear")) {
            Optional<TensorProto> codes = constant(p.getInput(0));
            if (codes.isEmpty() || integerBits(codes.get()) == 0) {
                // Q/DQ at run time: of a stored float weight it is still that float weight; else an activation.
                return graph.producer(p.getInput(0)).filter(q -> q.getOpType().equals("QuantizeLinear"))
                        .flatMap(q -> weight(q.getInput(0)));
            }
            return Optional.of(new Storage(integerPrecision(codes.get()), Tensors.elementCount(codes.get()),
                    storedBits(codes.get()) + inputBits(p, 1) + inputBits(p, 2)));
        }
        return TRANSPARENT.contains(p.getOpType()) ? weight(p.getInput(0)) : Optional.empty();
    }

    /** An initializer or the value of a Constant node. */
    private Optional<TensorProto> constant(String tensor) {
        if (tensor.isEmpty()) {
            return Optional.empty();
        }
        Optional<TensorProto> init = graph.initializer(tensor);
        if (init.isPresent()) {
            return init;
        }
        return graph.producer(tensor).filter(n -> n.getOpType().equals("Constant"))
                .flatMap(n -> Nodes.attrTensor(n, "value"));
    }

    /** Bits of the constant at input {@code index} of {@code node} (a scale or zero point); 0 when absent. */
    private long inputBits(NodeProto node, int index) {
        if (index >= node.getInputCount()) {
            return 0;
        }
        return constant(node.getInput(index)).map(WrittenLayers::storedBits).orElse(0L);
    }

    private static WeightPrecision floatPrecision(TensorProto t) {
        return switch (Tensors.dataType(t)) {
            case FLOAT, DOUBLE -> WeightPrecision.FP32;
            case FLOAT16, BFLOAT16 -> WeightPrecision.FP16;
            default -> null;
        };
    }

    /** Integer weight codes are 4 or 8 bits wide, the widths the methods write. */
    private static WeightPrecision integerPrecision(TensorProto t) {
        return integerBits(t) == 4 ? WeightPrecision.INT4 : WeightPrecision.INT8;
    }

    private static int integerBits(TensorProto t) {
        return switch (Tensors.dataType(t)) {
            case INT4, UINT4 -> 4;
            case INT8, UINT8 -> 8;
            default -> 0;
        };
    }

    /** Bits the tensor's elements take, rounded up to whole bytes (4-bit types pack two to a byte). */
    public static long storedBits(TensorProto t) {
        int elementBits = switch (Tensors.dataType(t)) {
            case INT4, UINT4, FLOAT4E2M1 -> 4;
            case INT8, UINT8, BOOL, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ -> 8;
            case INT16, UINT16, FLOAT16, BFLOAT16 -> 16;
            case INT32, UINT32, FLOAT -> 32;
            default -> 64;
        };
        return (Tensors.elementCount(t) * elementBits + 7) / 8 * 8;
    }
}
