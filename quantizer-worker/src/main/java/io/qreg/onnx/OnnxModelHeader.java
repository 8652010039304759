package io.qreg.onnx;

import java.util.List;
import java.util.Objects;

/**
 * What the registry needs to know about a model without loading it.
 *
 * @param irVersion        the ONNX IR (file format) version
 * @param opset            the operator set version of the default domain, or 0 when the model imports none
 * @param opsetImports     every {@code opset_import} entry, in file order
 * @param producerName     e.g. {@code pytorch}; empty when not recorded
 * @param producerVersion  e.g. {@code 2.11.0}; empty when not recorded
 * @param graphName        the main graph's name; empty when not recorded
 * @param inputs           the graph inputs a caller must feed, i.e. without inputs that merely
 *                         re-declare an initializer (older exporters list every weight as an input)
 * @param outputs          the graph outputs
 * @param initializerCount number of initializers (weights) in the main graph
 * @param nodeCount        number of nodes in the main graph (not counting nested subgraphs)
 * @param bytesRead        total bytes consumed, i.e. the size of the model file, for cross-checking uploads
 * @param quantized        whether the main graph holds a quantized operator ({@link QuantizedOps}): a QAT export
 *                         or an already-quantized model, which only the engine's qat method takes
 */
public record OnnxModelHeader(
        long irVersion,
        long opset,
        List<OpsetImport> opsetImports,
        String producerName,
        String producerVersion,
        String graphName,
        List<TensorSignature> inputs,
        List<TensorSignature> outputs,
        long initializerCount,
        long nodeCount,
        long bytesRead,
        boolean quantized) {

    public OnnxModelHeader {
        opsetImports = List.copyOf(opsetImports);
        Objects.requireNonNull(producerName, "producerName");
        Objects.requireNonNull(producerVersion, "producerVersion");
        Objects.requireNonNull(graphName, "graphName");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
