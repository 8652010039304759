package io.qreg.registry.checkpoint;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A checkpoint as the API and the portal show it.
 *
 * @param quantized the graph already holds quantized operators (a QAT export): only recipes of method qat take it
 */
public record CheckpointView(UUID id, String modelName, String version, String sha256, long sizeBytes,
        String sizeHuman, long irVersion, Long opset, String producer, List<TensorSpec> inputs,
        List<TensorSpec> outputs, String license, String redistribution, String sourceUri, UUID parentId,
        Instant createdAt, String createdBy, boolean quantized) {
}
