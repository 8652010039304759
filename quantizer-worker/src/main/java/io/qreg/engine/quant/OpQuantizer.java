package io.qreg.engine.quant;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.model.ModelGraph;
import io.qreg.onnx.ir.NodeProto;

/**
 * Quantizes one kind of node, the way ONNX Runtime's quantization tool keeps a table from op type
 * to op quantizer. Returns what it did, so the pass can report it.
 */
public interface OpQuantizer {

    /** How the coverage table describes this quantizer's op types; most quantize them. */
    default Coverage coverage() {
        return Coverage.QUANTIZED;
    }

    LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) throws QuantizationException;
}
