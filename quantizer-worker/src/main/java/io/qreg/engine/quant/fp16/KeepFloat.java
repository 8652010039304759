package io.qreg.engine.quant.fp16;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.Coverage;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.onnx.ir.NodeProto;
import java.util.function.Supplier;

/**
 * Leaves a numerically fragile float op in float32: it keeps reading and writing its float32 tensors,
 * and {@link HalfPlan} casts float16 neighbours to and from them.
 */
final class KeepFloat implements OpQuantizer {

    private final Supplier<HalfPlan> plan;
    private final String reason;

    KeepFloat(Supplier<HalfPlan> plan, String reason) {
        this.plan = plan;
        this.reason = reason;
    }

    @Override
    public Coverage coverage() {
        return Coverage.KEPT_FLOAT;
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        if (!plan.get().touchesFloat(node)) {
            return null;
        }
        String name = Nodes.reportName(node);
        return LayerReport.kept(name, node.getOpType(), LayerReport.Status.KEPT_FLOAT, reason);
    }
}
