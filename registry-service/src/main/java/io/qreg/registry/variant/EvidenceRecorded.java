package io.qreg.registry.variant;

import java.util.UUID;

/**
 * Published inside the transaction that records an evaluation or a benchmark, so listeners act on it atomically.
 *
 * @param variantId    the variant measured, or null when the evaluation is of a checkpoint itself
 * @param checkpointId the checkpoint evaluated on its own, or null when a variant was measured
 * @param kind         {@code evaluation} or {@code benchmark}
 * @param resultId     the id of the evaluation or benchmark row
 */
public record EvidenceRecorded(UUID variantId, UUID checkpointId, String modelName, String kind, UUID resultId) {

    public static final String EVALUATION = "evaluation";
    public static final String BENCHMARK = "benchmark";
}
