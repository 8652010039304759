package io.qreg.registry.portal;

import java.time.Instant;

/** A model row of the portal (model list, dashboard), with how many checkpoints it has. */
public record ModelSummary(String name, String task, String description, String owner, String riskTier,
        Instant createdAt, long checkpointCount) {
}
