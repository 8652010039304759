package io.qreg.engine.quant.qdq;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.EmbeddingQuantizer;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;

/**
 * Constant Gather tables (embeddings) in int8, as the dynamic method stores them: they are often
 * the largest weights of a language model, and leaving them float keeps a static variant far
 * bigger than its weights need. Gathering int8 rows then dequantizing them needs no activation
 * range, so nothing is calibrated for it.
 */
final class EmbeddingTableQuantizer implements QdqOpQuantizer {

    private final EmbeddingQuantizer embeddings = new EmbeddingQuantizer();

    @Override
    public boolean considers(ModelGraph graph, NodeProto node) {
        return node.getInputCount() == 2 && graph.initializer(node.getInput(0))
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE).isPresent();
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        return embeddings.quantize(graph, node, context);
    }
}
