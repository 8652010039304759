package io.qreg.registry.job;

import java.util.List;
import java.util.UUID;

/**
 * {@code POST /api/v1/jobs}: QUANTIZE {@code {type, checkpointId, recipe, calibrationDataset?, hardwareTarget?,
 * followUps?, maxAttempts?, force?}} ({@code force: true}: run it even if an identical run made a variant), EVALUATE {@code {type, variantId | checkpointId, dataset}} (a variant against its
 * checkpoint, or a checkpoint itself), BENCHMARK {@code {type, variantId, hardwareTarget}}.
 */
public record JobRequest(String type, UUID checkpointId, Versioned recipe, Versioned calibrationDataset,
        UUID variantId, Versioned dataset, String hardwareTarget, List<FollowUp> followUps, Integer maxAttempts,
        Boolean force) {

    /** A request without {@code force}: an identical earlier run's variant is reused. */
    public JobRequest(String type, UUID checkpointId, Versioned recipe, Versioned calibrationDataset, UUID variantId,
            Versioned dataset, String hardwareTarget, List<FollowUp> followUps, Integer maxAttempts) {
        this(type, checkpointId, recipe, calibrationDataset, variantId, dataset, hardwareTarget, followUps,
                maxAttempts, null);
    }

    /** A name and version of a recipe or dataset. */
    public record Versioned(String name, Integer version) {
    }

    /** A job to run on the variant a QUANTIZE job produces, once it has succeeded. */
    public record FollowUp(String type, Versioned dataset, String hardwareTarget) {
    }
}
