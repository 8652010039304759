package io.qreg.engine.quant;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.onnx.ir.NodeProto;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pass driven by a table from op type to {@link OpQuantizer}: every default-domain node whose op type
 * is in the table is considered once, in graph order, and reported, whether quantized, excluded by the
 * options or left alone by its quantizer.
 */
public abstract class OpTablePass implements QuantizationPass {

    private final String stage;

    protected OpTablePass(String stage) {
        this.stage = stage;
    }

    /** Op type (default ONNX domain) to the quantizer that rewrites it. */
    protected abstract Map<String, OpQuantizer> table();

    @Override
    public final Map<String, Coverage> coverage() {
        Map<String, Coverage> coverage = new TreeMap<>();
        table().forEach((op, quantizer) -> coverage.put(op, quantizer.coverage()));
        return coverage;
    }

    /** Runs before the nodes are visited, e.g. to plan a whole-graph decision. */
    protected void prepare(QuantizationContext context) throws QuantizationException {
    }

    /** Runs after every node was visited, e.g. to drop tensors nothing reads any more. */
    protected void finish(QuantizationContext context) throws QuantizationException {
    }

    @Override
    public void apply(QuantizationContext context) throws QuantizationException {
        prepare(context);
        ModelGraph graph = context.model().graph();
        Map<String, OpQuantizer> table = table();
        // A snapshot: quantizers replace and insert nodes while we walk.
        List<NodeProto> nodes = graph.nodes().stream()
                .filter(n -> n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                .filter(n -> table.containsKey(n.getOpType()))
                .toList();
        long done = 0;
        for (NodeProto node : nodes) {
            String name = Nodes.reportName(node);
            if (!context.options().allows(node.getName(), node.getOpType())) {
                context.report(LayerReport.kept(name, node.getOpType(), LayerReport.Status.EXCLUDED,
                        "excluded by --exclude-nodes/--exclude-op-types or not selected"));
            } else {
                LayerReport report = table.get(node.getOpType()).quantize(graph, node, context);
                if (report != null) {
                    context.report(report);
                }
            }
            context.progress().progress(stage, ++done, nodes.size());
        }
        finish(context);
    }
}
