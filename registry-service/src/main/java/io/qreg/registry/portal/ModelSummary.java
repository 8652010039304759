package io.qreg.registry.portal;

import java.time.Instant;
import java.util.Map;

/** A model row of the portal (model list, dashboard), with how many checkpoints it has, its tags, whether archived. */
public record ModelSummary(String name, String task, String description, String owner, String riskTier,
        Instant createdAt, long checkpointCount, Map<String, String> tags, boolean archived) {
}
