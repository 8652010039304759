package io.qreg.registry.recipe;

import java.time.Instant;
import java.util.UUID;

/** A recipe version as the API returns it: identity, hash, and the full configuration. */
public record RecipeView(UUID id, String name, int version, String hash, String method, boolean perChannel,
        boolean symmetric, Integer blockSize, String calibrationMethod, Double percentile,
        java.util.List<String> excludeNodes, java.util.List<String> excludeOpTypes, Double accuracyBudget,
        String notes, Instant createdAt, String createdBy, String algorithm, Double gptqDamp, Boolean actOrder,
        Object smoothQuantAlpha, Double targetBitsPerWeight) {
}
