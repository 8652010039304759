package io.qreg.engine.quant.qdq;

import io.qreg.engine.calibration.Range;
import io.qreg.engine.calibration.TensorStatistics;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The quality guard ONNX Runtime's static quantization lacks: finds activations whose calibrated
 * range is dominated by huge constants, which one int8 scale cannot represent together with the
 * values that matter. An additive causal mask of -1e9 in front of a Softmax is the typical case:
 * quantized over [-1e9, 10], every attention score rounds to the same level and attention becomes
 * uniform. Such tensors stay float.
 *
 * <p>Two rules: a tensor feeding a Softmax that comes from an Add or a Where with a mask-like input (a constant,
 * possibly sliced/reshaped/cast, or an observed minimum at or below {@value #HUGE}); and any tensor
 * whose extreme magnitude is at least {@value #HUGE} while its bulk (the 99.99th percentile of |x|)
 * is at least {@value #RATIO} times smaller.
 */
final class MaskGuard {

    static final double HUGE = 1e4;
    static final double RATIO = 1e3;
    /** Ops that apply a mask: adding -1e9 where attention is not allowed, or selecting it with Where. */
    private static final Set<String> MASKING = Set.of("Add", "Where");
    /** Ops that move or select a constant's values without computing new ones. */
    private static final Set<String> VALUE_PRESERVING = Set.of("Slice", "Reshape", "Unsqueeze", "Squeeze", "Expand",
            "Cast", "Transpose", "Gather", "Identity", "Flatten");

    private MaskGuard() {
    }

    /** Guarded tensor name to a sentence saying why. */
    static Map<String, String> find(ModelGraph graph, Map<String, TensorStatistics> statistics) {
        Map<String, String> guarded = new LinkedHashMap<>();
        statistics.forEach((tensor, stats) -> {
            if (!stats.observed()) {
                return;
            }
            Range seen = stats.extremes();
            maskFeedingSoftmax(graph, tensor, seen).ifPresentOrElse(reason -> guarded.put(tensor, reason), () -> {
                double bulk = stats.bulkMagnitude();
                if (seen.maxAbs() >= HUGE && bulk * RATIO <= seen.maxAbs()) {
                    guarded.put(tensor, String.format(Locale.ROOT, "range [%.4g, %.4g] is dominated by huge values:"
                            + " 99.99%% of |x| is below %.4g", seen.min(), seen.max(), bulk));
                }
            });
        });
        return guarded;
    }

    private static Optional<String> maskFeedingSoftmax(ModelGraph graph, String tensor, Range seen) {
        Optional<NodeProto> softmax = graph.consumers(tensor).stream()
                .filter(n -> n.getOpType().equals("Softmax")).findFirst();
        Optional<NodeProto> add = graph.producer(tensor).filter(n -> MASKING.contains(n.getOpType()));
        if (softmax.isEmpty() || add.isEmpty()) {
            return Optional.empty();
        }
        for (String input : add.get().getInputList()) {
            Optional<Float> constantMin = constantMinimum(graph, input, 8);
            if (constantMin.isPresent() && constantMin.get() <= -HUGE) {
                return Optional.of(String.format(Locale.ROOT, "additive mask: output of %s, whose input '%s' is a"
                        + " constant down to %.4g, feeds %s (calibrated range [%.4g, %.4g])",
                        Nodes.describe(add.get()), input, constantMin.get(), Nodes.describe(softmax.get()), seen.min(),
                        seen.max()));
            }
        }
        if (seen.min() <= -HUGE) {
            return Optional.of(String.format(Locale.ROOT, "additive mask: output of %s feeds %s and reaches %.4g"
                    + " (calibrated range [%.4g, %.4g])", Nodes.describe(add.get()), Nodes.describe(softmax.get()),
                    seen.min(), seen.min(), seen.max()));
        }
        return Optional.empty();
    }

    /** The minimum of a constant tensor, following value-preserving ops back to an initializer or Constant. */
    private static Optional<Float> constantMinimum(ModelGraph graph, String tensor, int depth) {
        Optional<TensorProto> init = graph.initializer(tensor);
        if (init.isPresent()) {
            return minimum(init.get());
        }
        Optional<NodeProto> producer = graph.producer(tensor);
        if (depth == 0 || producer.isEmpty()) {
            return Optional.empty();
        }
        NodeProto node = producer.get();
        if (node.getOpType().equals("Constant")) {
            return Nodes.attrTensor(node, "value").flatMap(MaskGuard::minimum);
        }
        if (VALUE_PRESERVING.contains(node.getOpType()) && node.getInputCount() > 0) {
            return constantMinimum(graph, node.getInput(0), depth - 1);
        }
        return Optional.empty();
    }

    private static Optional<Float> minimum(TensorProto tensor) {
        int type = tensor.getDataType();
        if (type != TensorProto.DataType.FLOAT_VALUE && type != TensorProto.DataType.FLOAT16_VALUE
                && type != TensorProto.DataType.DOUBLE_VALUE && type != TensorProto.DataType.BFLOAT16_VALUE) {
            return Optional.empty();
        }
        float min = Float.POSITIVE_INFINITY;
        for (float v : Tensors.toFloats(tensor)) {
            min = Math.min(min, v);
        }
        return min == Float.POSITIVE_INFINITY ? Optional.empty() : Optional.of(min);
    }
}
