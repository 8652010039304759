package io.qreg.engine.quant.fp16;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.Coverage;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.Optional;
import java.util.function.Supplier;

/** Moves one node of a float16-safe op type to float16, as {@link HalfPlan} decided. */
final class HalfNodeConverter implements OpQuantizer {

    private final Supplier<HalfPlan> plan;

    HalfNodeConverter(Supplier<HalfPlan> plan) {
        this.plan = plan;
    }

    @Override
    public Coverage coverage() {
        return Coverage.FLOAT16;
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        HalfPlan p = plan.get();
        String name = Nodes.reportName(node);
        if (!p.touchesFloat(node)) {
            return null; // integer shape arithmetic and the like: not a float16 candidate
        }
        if (!p.isHalf(node)) {
            return LayerReport.kept(name, node.getOpType(), LayerReport.Status.KEPT_FLOAT,
                    p.whyFloat(node).orElse("kept in float32"));
        }
        long before = 0;
        for (String in : node.getInputList()) {
            Optional<TensorProto> init = graph.initializer(in);
            if (init.isPresent() && init.get().getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                before += init.get().getRawData().size() > 0 ? init.get().getRawData().size()
                        : 4L * init.get().getFloatDataCount();
            }
        }
        p.convert(graph, node);
        return LayerReport.quantized(name, node.getOpType(), "float16", before, before / 2);
    }
}
