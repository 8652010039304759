package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.onnx.ir.NodeProto;
import java.util.Set;

/** An op quantizer of the QDQ table, which also says which tensors it needs calibrated ranges for. */
interface QdqOpQuantizer extends OpQuantizer {

    /**
     * Activations whose range this quantizer may use; calibration runs before any rewrite. None by default:
     * quantizers that fold into or pass on a neighbour's range, or quantize weights only, need none of their own.
     */
    default Set<String> tensorsToCalibrate(ModelGraph graph, NodeProto node) {
        return Set.of();
    }

    /**
     * Whether the node is part of this pass's decision at all, and so gets a layer report. Ops that
     * only pass scales through are not when nothing quantized reaches them (shape arithmetic).
     */
    default boolean considers(ModelGraph graph, NodeProto node) {
        return true;
    }
}
