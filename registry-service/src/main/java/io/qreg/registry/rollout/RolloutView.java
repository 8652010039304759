package io.qreg.registry.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A rollout as the API returns it. {@code weights} is the tier's traffic split now, by cluster
 * name; {@code healthReports} are the most recent canary reports, newest first; {@code thresholds}
 * repeats {@code analysis.thresholds} for clients from before analyses; {@code forcedAdvances}
 * are the steps a person advanced past before their analysis had passed.
 */
public record RolloutView(UUID id, String deployment, String environment, String tier, UUID variantId,
        UUID checkpointId, Map<String, Object> candidate, Map<String, Object> previous, UUID approvalId,
        List<String> signedBy, String evidenceDigest, List<Integer> steps, int stepIndex, int percent,
        RolloutPhase phase, Thresholds thresholds, AnalysisView analysis, List<ForcedAdvance> forcedAdvances,
        String reason, Map<String, Integer> weights, List<HealthView> healthReports, Instant createdAt,
        String createdBy, Instant updatedAt, Instant finishedAt) {

    /** One stored health report and the thresholds it crossed. */
    public record HealthView(UUID id, int stepIndex, Double errorRate, Double p99LatencyMs, Double qualityProxy,
            Long requests, List<Map<String, Object>> breaches, Instant reportedAt, String reportedBy) {
    }
}
