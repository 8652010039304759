package io.qreg.registry.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A job as the API returns it.
 *
 * @param force the QUANTIZE request asked for a new variant even if an identical run already made one
 * @param reused the job SUCCEEDED by returning an existing variant ({@code variantId}) made by an identical run
 * @param reproducesVariantId a reproduction: the variant whose quantization this job re-runs to compare bytes
 */
public record JobView(UUID id, String type, String status, double progress, int attempts, int maxAttempts,
        UUID variantId, boolean reused, boolean force, UUID reproducesVariantId, List<UUID> followUpJobIds, UUID parentJobId, String error, String hardwareTarget,
        UUID workerId, String message, boolean cancelRequested, Instant leaseExpiresAt, UUID checkpointId,
        Map<String, Object> recipe, Map<String, Object> calibrationDataset, Map<String, Object> dataset,
        Object followUps, Instant createdAt, String createdBy, Instant startedAt, Instant finishedAt) {
}
