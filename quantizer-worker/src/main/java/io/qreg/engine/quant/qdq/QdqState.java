package io.qreg.engine.quant.qdq;

import io.qreg.engine.calibration.TensorStatistics;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.model.Nodes;
import io.qreg.onnx.ir.NodeProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What the op quantizers of one pass share: ranges, guarded tensors, the rewriter, and folded activations. */
final class QdqState {

    /** Activations a preceding op's output Q can absorb: the quantized range clamps as they do. */
    private static final Set<String> FOLDABLE = Set.of("Relu", "Clip");

    private final ModelGraph graph;
    private final QuantizationOptions options;
    private final boolean perChannel;
    private final long opset;
    private final QdqRewriter rewriter;
    private final DataFlow flow;
    private Map<String, TensorStatistics> statistics = Map.of();
    private Map<String, String> guarded = Map.of();
    /** Output of a Relu/Clip folded into a compute op's output range, to that compute op's description. */
    private final Map<String, String> folded = new HashMap<>();

    /** @param opset the default-domain opset the model imports */
    QdqState(ModelGraph graph, QuantizationOptions options, boolean perChannel, long opset) {
        this.graph = graph;
        this.options = options;
        this.perChannel = perChannel;
        this.opset = opset;
        this.rewriter = new QdqRewriter(graph);
        this.flow = graph == null ? null : DataFlow.of(graph);
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

    long opset() {
        return opset;
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

    /** Whether the tensor is float32, or of a type neither declared nor inferable (exporters often omit value_info). */
    boolean maybeFloat(String tensor) {
        return flow.maybeFloat(graph, rewriter.original(tensor));
    }

    /**
     * Whether the tensor's values depend on the model's inputs, not only on constants and shapes (a
     * DequantizeLinear output this pass wrote answers for the activation it replaced).
     */
    boolean isData(String tensor) {
        return flow.isData(rewriter.original(tensor));
    }

    /** The output to quantize for {@code node}: its own, or that of a Relu/Clip that is its only consumer. */
    OutputTarget outputTarget(NodeProto node) {
        String out = node.getOutput(0);
        List<NodeProto> consumers = graph.consumers(out);
        if (consumers.size() == 1 && !graph.isGraphOutput(out)) {
            NodeProto next = consumers.get(0);
            if (FOLDABLE.contains(next.getOpType()) && options.allows(next.getName(), next.getOpType())
                    && next.getInput(0).equals(out)) {
                return new OutputTarget(next.getOutput(0), next);
            }
        }
        return new OutputTarget(out, null);
    }

    /**
     * Puts the output Q/DQ of a quantized {@code node} (after a Relu/Clip it folds) unless the output
     * is a graph output, guarded or uncalibrated; returns a phrase for the layer report.
     */
    String quantizeOutput(NodeProto node) {
        OutputTarget target = outputTarget(node);
        String tensor = target.tensor();
        if (graph.isGraphOutput(tensor) || graph.consumers(tensor).isEmpty()) {
            return "output float (graph output)";
        }
        Optional<String> guard = guardReason(tensor);
        if (guard.isPresent()) {
            return "output float (guard: " + guard.get() + ")";
        }
        Optional<QuantParams> p = activationParams(tensor);
        if (p.isEmpty()) {
            return "output float (no calibrated range)";
        }
        rewriter.quantizeActivation(tensor, p.get());
        if (target.activation() != null) {
            fold(tensor, Nodes.describe(node));
            return "output Q/DQ after " + Nodes.describe(target.activation()) + " (folded into the range)";
        }
        return "output Q/DQ";
    }

    /** @param activation the Relu/Clip whose output is quantized instead of the node's, or null */
    record OutputTarget(String tensor, NodeProto activation) {
    }

    void fold(String activationOutput, String into) {
        folded.put(activationOutput, into);
    }

    Optional<String> foldedInto(String activationOutput) {
        return Optional.ofNullable(folded.get(activationOutput));
    }
}
