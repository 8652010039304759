package io.qreg.engine.quant;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.dynamic.Int8Weights;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.List;
import java.util.Optional;

/**
 * Stores a Gather's constant float table (an embedding) as int8 with one scale, like ONNX Runtime's
 * dynamic quantizer: {@code Gather(table_q, indices) → DequantizeLinear(scale, zero_point)}. Gathering
 * the int8 rows first and dequantizing only them keeps the run-time work proportional to the rows
 * looked up, not to the table. Per-tensor, because a per-axis DequantizeLinear cannot follow the rows
 * through the Gather.
 */
public final class EmbeddingQuantizer implements OpQuantizer {

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        String name = Nodes.reportName(node);
        Optional<TensorProto> table = node.getInputCount() == 2 ? graph.initializer(node.getInput(0)) : Optional.empty();
        if (table.isEmpty() || table.get().getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return null; // a Gather over activations or integer shapes: nothing to quantize, not a candidate
        }
        TensorProto t = table.get();
        if (Nodes.attrInt(node, "axis", 0) != 0 || t.getDimsCount() != 2) {
            return LayerReport.kept(name, "Gather", LayerReport.Status.UNSUPPORTED,
                    "only 2-D tables gathered along axis 0 (embeddings) are quantized");
        }
        boolean symmetric = context.options().symmetric();
        int rows = Math.toIntExact(t.getDims(0));
        int cols = Math.toIntExact(t.getDims(1));
        Int8Weights q = Int8Weights.quantize(Tensors.toFloats(t), rows, cols, false, symmetric);
        String tableName = graph.uniqueName(t.getName() + "_quantized");
        String scaleName = graph.uniqueName(t.getName() + "_scale");
        String zpName = graph.uniqueName(t.getName() + "_zero_point");
        graph.addInitializer(Tensors.int8(tableName, Tensors.dims(t), q.values()));
        graph.addInitializer(Tensors.floats(scaleName, new long[0], q.scales()));
        graph.addInitializer(Tensors.int8(zpName, new long[0], q.zeroPoints()));
        String gathered = graph.uniqueName(node.getOutput(0) + "_quantized");
        NodeProto gather = graph.replaceNode(node, node.toBuilder().setInput(0, tableName).setOutput(0, gathered).build());
        graph.insertAfter(gather, Nodes.node("DequantizeLinear", List.of(gathered, scaleName, zpName),
                List.of(node.getOutput(0)), graph.uniqueName(name + "_DequantizeLinear")));
        LinearRewriter.dropIfUnused(graph, t.getName());
        return LayerReport.quantized(name, "Gather", "int8 per-tensor " + (symmetric ? "symmetric" : "asymmetric")
                + " embedding, Gather + DequantizeLinear", 4L * rows * cols, q.bytes(true));
    }
}
