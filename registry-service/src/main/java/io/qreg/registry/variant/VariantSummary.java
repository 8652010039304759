package io.qreg.registry.variant;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A variant in a model's list: identity, size, method and its headline numbers (the latest
 * evaluation's metrics and deltas, the latest benchmark's latency and speed-up), null when not measured.
 *
 * @param precisionMix and {@code precisionLabel}: as in {@link VariantView}
 */
public record VariantSummary(UUID id, String modelName, UUID checkpointId, String sha256, long sizeBytes,
        String method, Map<String, Object> precisionMix, String precisionLabel, Instant createdAt, UUID jobId,
        Map<String, Object> recipe, Object metrics, Object deltas, String hardwareTarget, Double latencyP50Ms,
        Double latencyP99Ms, Double speedup) {
}
