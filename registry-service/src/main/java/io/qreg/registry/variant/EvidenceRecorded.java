package io.qreg.registry.variant;

import java.util.UUID;

/**
 * Published inside the transaction that records an evaluation or a benchmark ({@code kind}) of a
 * variant or of a checkpoint (the other id is null): open approvals of that subject are judged again.
 */
public record EvidenceRecorded(UUID variantId, UUID checkpointId, String modelName, String kind, UUID resultId) {
}
