package io.qreg.registry.policy;

import io.qreg.registry.model.RiskTier;

/** The thresholds a model without its own policy is held to; the table and its reasons are in package-info. */
final class RiskTierDefaults {

    private static final Thresholds STANDARD = new Thresholds(0.02, 5.0, 0.85, 0.05, null, null, null, null, null,
            null);
    private static final Thresholds HIGH = new Thresholds(0.01, 3.0, 0.90, 0.03, null, null, 0.75, null, null, null);
    private static final Thresholds REGULATED = new Thresholds(0.005, 2.0, 0.95, 0.02, null, null, 0.75, null, null,
            null);

    private RiskTierDefaults() {
    }

    static Thresholds of(RiskTier tier) {
        return switch (tier) {
            case STANDARD -> STANDARD;
            case HIGH -> HIGH;
            case REGULATED -> REGULATED;
        };
    }
}
