package io.qreg.registry.job;

import java.util.List;
import java.util.Map;

import io.qreg.registry.support.CanonicalJson;

import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Turns a job aggregate into what the API returns (and the audit log records) of it; errors and messages
 * without the servers' file paths ({@link ServerPaths}).
 */
@Component
@RequiredArgsConstructor
class JobViews {

    private final Jobs store;

    JobView view(Job j) {
        Map<String, Object> recipe = j.recipeName() == null ? null
                : Map.of("name", j.recipeName(), "version", j.recipeVersion());
        Map<String, Object> calibration = j.calibrationDatasetName() == null ? null
                : Map.of("name", j.calibrationDatasetName(), "version", j.calibrationDatasetVersion());
        Map<String, Object> dataset = j.datasetName() == null ? null
                : Map.of("name", j.datasetName(), "version", j.datasetVersion());
        return new JobView(j.id(), j.type().name(), j.status().name(), j.progress(), j.attempts(), j.maxAttempts(),
                j.variantId(), j.reused(), j.force(), j.reproducesVariantId(), j.type() == JobType.QUANTIZE ? store.followUpIds(j.id()) : List.of(), j.parentJobId(),
                ServerPaths.redact(j.error()), j.hardwareTarget(), j.workerId(), ServerPaths.redact(j.message()),
                j.cancelRequested(), j.leaseExpiresAt(),
                j.checkpointId(), recipe, calibration, dataset, CanonicalJson.mapper().readValue(j.followUpsJson(),
                        Object.class), j.createdAt(), j.createdBy(), j.startedAt(), j.finishedAt());
    }
}
