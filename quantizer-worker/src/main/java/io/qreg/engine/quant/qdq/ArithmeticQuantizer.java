package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Ops that compute new values from activations without weights of their own: Add, Mul, Concat,
 * AveragePool, GlobalAveragePool, Where and LayerNormalization. Each data input gets a Q/DQ from its
 * calibrated range and the output its own Q/DQ (after a Relu/Clip it folds), the pattern ONNX Runtime
 * fuses into QLinearAdd / QLinearMul / QLinearConcat / QLinearAveragePool / QLinearGlobalAveragePool /
 * QLinearWhere. A float constant data input (a bias added after a MatMul) is stored as an int8
 * per-tensor weight behind a DequantizeLinear, as ONNX Runtime's tool does, since the fusion needs
 * every input dequantized.
 *
 * <p>LayerNormalization: X and the output get Q/DQ; scale and bias stay float. ONNX Runtime's tool
 * also writes them int8/int32, but its CPU provider has no integer LayerNormalization, so they would
 * only be dequantized again, at the cost of precision in the normalization every later layer reads.
 *
 * <p>Nodes reading no data (shape arithmetic on constants and Shape outputs) are not considered. A node
 * whose input or output the mask guard keeps float, or with a constant holding mask-like values,
 * stays float as a whole: its integer kernel would need exactly the quantization the guard refused.
 */
final class ArithmeticQuantizer implements QdqOpQuantizer {

    private final QdqState state;

    ArithmeticQuantizer(QdqState state) {
        this.state = state;
    }

    /** The inputs whose values flow into the output (not axes, shapes, conditions, scale or bias). */
    static List<Integer> dataInputs(NodeProto node) {
        return switch (node.getOpType()) {
            case "Add", "Mul" -> List.of(0, 1);
            case "Concat" -> IntStream.range(0, node.getInputCount()).boxed().toList();
            case "Where" -> List.of(1, 2);
            case "AveragePool", "GlobalAveragePool", "LayerNormalization" -> List.of(0);
            default -> throw new IllegalArgumentException("not an arithmetic op: " + node.getOpType());
        };
    }

    @Override
    public boolean considers(ModelGraph graph, NodeProto node) {
        return dataInputs(node).stream().map(node::getInput)
                .anyMatch(t -> !t.isEmpty() && state.isData(t) && state.maybeFloat(t));
    }

    @Override
    public Set<String> tensorsToCalibrate(ModelGraph graph, NodeProto node) {
        Set<String> tensors = new LinkedHashSet<>();
        for (int i : dataInputs(node)) {
            String t = node.getInput(i);
            if (!graph.isInitializer(t)) {
                tensors.add(t);
            }
        }
        tensors.add(node.getOutput(0));
        tensors.add(state.outputTarget(node).tensor());
        tensors.removeIf(t -> t.isEmpty() || !state.maybeFloat(t));
        return tensors;
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        Map<Integer, QuantParams> activations = new LinkedHashMap<>();
        Map<Integer, TensorProto> constants = new LinkedHashMap<>();
        for (int i : dataInputs(node)) {
            String tensor = node.getInput(i);
            if (!state.maybeFloat(tensor)) {
                return kept(node, LayerReport.Status.UNSUPPORTED, "input '" + tensor + "' is not float32");
            }
            Optional<TensorProto> constant = graph.initializer(tensor);
            if (constant.isPresent()) {
                if (!withinInt8Reach(constant.get())) {
                    return kept(node, LayerReport.Status.KEPT_FLOAT, "constant input '" + tensor + "' holds values"
                            + " beyond ±" + (long) MaskGuard.HUGE + " (a mask); one int8 scale cannot carry it");
                }
                constants.put(i, constant.get());
                continue;
            }
            Optional<String> guard = state.guardReason(tensor);
            if (guard.isPresent()) {
                return kept(node, LayerReport.Status.KEPT_FLOAT, "guard: input '" + tensor + "' stays float ("
                        + guard.get() + ")");
            }
            Optional<QuantParams> p = state.activationParams(tensor);
            if (p.isEmpty()) {
                return kept(node, LayerReport.Status.KEPT_FLOAT, "no calibrated range for input '" + tensor + "'");
            }
            activations.put(i, p.get());
        }
        for (String output : List.of(node.getOutput(0), state.outputTarget(node).tensor())) {
            Optional<String> guard = state.guardReason(output);
            if (guard.isPresent()) {
                return kept(node, LayerReport.Status.KEPT_FLOAT, "guard: output '" + output + "' stays float ("
                        + guard.get() + ")");
            }
        }
        QdqRewriter rewriter = state.rewriter();
        List<String> details = new ArrayList<>();
        long before = 0;
        long after = 0;
        // Constants first: they rewire only this node; activations then rewire every consumer.
        for (Map.Entry<Integer, TensorProto> c : constants.entrySet()) {
            TensorProto tensor = c.getValue();
            long[] dims = Tensors.dims(tensor);
            WeightQuantizer.QuantizedWeight weight = WeightQuantizer.quantize(Tensors.toFloats(tensor), dims, -1);
            before += QdqRewriter.floatBytes(tensor);
            after += rewriter.quantizeWeight(rewriter.currentInstance(node), c.getKey(), weight, dims);
            details.add("constant '" + tensor.getName() + "' int8 per-tensor");
        }
        activations.forEach((i, p) -> rewriter.quantizeActivation(rewriter.currentInstance(node).getInput(i), p));
        if (!activations.isEmpty()) {
            details.add(activations.size() == 1 ? "input int8 asymmetric" : activations.size() + " inputs int8"
                    + " asymmetric, each with its own scale");
        }
        if (node.getOpType().equals("LayerNormalization")) {
            details.add("scale and bias float");
        }
        details.add(state.quantizeOutput(rewriter.currentInstance(node)));
        return LayerReport.quantized(node.getName(), node.getOpType(), String.join("; ", details), before, after);
    }

    /** Finite and below the guard's mask threshold: a scale of max|x|/127 then keeps the rest resolvable. */
    private static boolean withinInt8Reach(TensorProto constant) {
        if (constant.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return false;
        }
        for (float v : Tensors.toFloats(constant)) {
            if (!Float.isFinite(v) || Math.abs(v) >= MaskGuard.HUGE) {
                return false;
            }
        }
        return true;
    }

    private static LayerReport kept(NodeProto node, LayerReport.Status status, String reason) {
        return LayerReport.kept(node.getName(), node.getOpType(), status, reason);
    }
}
