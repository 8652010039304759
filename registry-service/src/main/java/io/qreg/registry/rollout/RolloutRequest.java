package io.qreg.registry.rollout;

import java.util.List;
import java.util.UUID;

/**
 * {@code POST /api/v1/deployments/{name}/rollouts}. The candidate is a {@code variantId}, or a
 * {@code checkpointId} of the deployment's model to serve it unquantized (FP32). {@code steps}
 * are canary percentages ending at 100; 0 is shadow traffic. {@code analysis} says how each step is
 * judged ({@link Analysis}); {@code thresholds}, from clients before analyses, are taken as its thresholds.
 */
public record RolloutRequest(UUID variantId, UUID checkpointId, String environment, String tier,
        List<Integer> steps, UUID approvalId, Thresholds thresholds, Analysis analysis) {
}
