package io.qreg.registry.portal;

import java.time.Instant;
import java.util.Map;

/**
 * A model row of the portal (model list, dashboard), with how many checkpoints it has, its tags, whether archived,
 * and what {@link ModelListFacts} adds: its variant count, best passing variant (null if none) and last activity.
 */
public record ModelSummary(String name, String task, String description, String owner, String riskTier,
        Instant createdAt, long checkpointCount, Map<String, String> tags, boolean archived, long variantCount,
        ModelListFacts.BestVariant bestPassing, Instant lastActivity) {
}
