package io.qreg.registry.rollout;

import java.time.Instant;

/**
 * A step a person advanced past before its analysis had passed: from where to where, who, why,
 * and what the analysis was still missing then.
 */
public record ForcedAdvance(int fromStepIndex, int fromPercent, int toPercent, String by, String reason,
        String missing, Instant at) {
}
