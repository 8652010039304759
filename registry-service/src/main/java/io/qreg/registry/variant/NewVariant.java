package io.qreg.registry.variant;

import java.util.Map;
import java.util.UUID;

import io.qreg.registry.artifact.StagedFile;

/** A variant a succeeded QUANTIZE job produced: its staged artifact, lineage and engine report. */
public record NewVariant(UUID jobId, UUID modelId, UUID checkpointId, StagedFile artifact, String method,
        Map<String, Object> lineage, Object report) {
}
