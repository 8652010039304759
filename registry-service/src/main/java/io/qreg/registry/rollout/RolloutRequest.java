package io.qreg.registry.rollout;

import java.util.List;
import java.util.UUID;

/**
 * {@code POST /api/v1/deployments/{name}/rollouts}. The candidate is a {@code variantId}, a
 * {@code checkpointId} of the deployment's model to serve it unquantized (FP32), or an {@code alias} of the
 * model (e.g. {@code champion}), resolved to what it points at when the request comes in. {@code steps}
 * are canary percentages ending at 100; 0 is shadow traffic. {@code analysis} says how each step is
 * judged ({@link Analysis}); {@code thresholds}, from clients before analyses, are taken as its thresholds.
 */
public record RolloutRequest(UUID variantId, UUID checkpointId, String environment, String tier,
        List<Integer> steps, UUID approvalId, Thresholds thresholds, Analysis analysis, String alias) {

    /** A request naming its candidate by id. */
    public RolloutRequest(UUID variantId, UUID checkpointId, String environment, String tier, List<Integer> steps,
            UUID approvalId, Thresholds thresholds, Analysis analysis) {
        this(variantId, checkpointId, environment, tier, steps, approvalId, thresholds, analysis, null);
    }
}
