package io.qreg.engine.quant.qdq;

import io.qreg.engine.calibration.TensorStatistics;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.onnx.ir.TensorProto;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** What the op quantizers of one pass share: ranges, guarded tensors, the rewriter, and folded activations. */
final class QdqState {

    private final ModelGraph graph;
    private final QuantizationOptions options;
    private final boolean perChannel;
    private final QdqRewriter rewriter;
    private Map<String, TensorStatistics> statistics = Map.of();
    private Map<String, String> guarded = Map.of();
    /** Output of a Relu/Clip folded into a compute op's output range, to that compute op's description. */
    private final Map<String, String> folded = new HashMap<>();

    QdqState(ModelGraph graph, QuantizationOptions options, boolean perChannel) {
        this.graph = graph;
        this.options = options;
        this.perChannel = perChannel;
        this.rewriter = new QdqRewriter(graph);
    }

    void calibrated(Map<String, TensorStatistics> statistics, Map<String, String> guarded) {
        this.statistics = statistics;
        this.guarded = guarded;
    }

    ModelGraph graph() {
        return graph;
    }

    QuantizationOptions options() {
        return options;
    }

    boolean perChannel() {
        return perChannel;
    }

    QdqRewriter rewriter() {
        return rewriter;
    }

    /** Why the guard keeps {@code tensor} in float, if it does. */
    Optional<String> guardReason(String tensor) {
        return Optional.ofNullable(guarded.get(tensor));
    }

    /**
     * The parameters to quantize {@code tensor} with: those it already has if it was quantized
     * (shared activations keep one scale), else from its calibrated range.
     */
    Optional<QuantParams> activationParams(String tensor) {
        Optional<QuantParams> existing = rewriter.paramsOf(tensor);
        if (existing.isPresent()) {
            return existing;
        }
        TensorStatistics s = statistics.get(tensor);
        return s == null || !s.observed() ? Optional.empty() : Optional.of(QuantParams.forRange(s.range()));
    }

    /** Whether the tensor is float32, or of unknown type (exporters often omit value_info). */
    boolean maybeFloat(String tensor) {
        OptionalInt type = graph.elementType(tensor);
        return type.isEmpty() || type.getAsInt() == TensorProto.DataType.FLOAT_VALUE;
    }

    void fold(String activationOutput, String into) {
        folded.put(activationOutput, into);
    }

    Optional<String> foldedInto(String activationOutput) {
        return Optional.ofNullable(folded.get(activationOutput));
    }
}
