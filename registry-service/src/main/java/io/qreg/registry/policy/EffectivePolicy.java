package io.qreg.registry.policy;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.qreg.registry.fallback.OperatingPoint;

/**
 * The thresholds a model's variants are judged by, what a lapsed approval leads to ({@code onLapse}),
 * the operating point of its deployments' low-confidence fallbacks ({@code fallback}, null: none; a tier's
 * own wins), and where they come from: {@code source} is {@code model} (its own, set with PUT) or
 * {@code risk-tier-default}; updatedAt/updatedBy only for its own.
 */
public record EffectivePolicy(String model, String riskTier, String source, @JsonUnwrapped Thresholds thresholds,
        LapseAction onLapse, OperatingPoint fallback, Instant updatedAt, String updatedBy) {

    public static final String OWN = "model";
    public static final String DEFAULT = "risk-tier-default";
}
