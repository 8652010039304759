package io.qreg.registry.recipe;

import java.util.List;

/** A recipe as posted: every field but name and method may be left out to take its default. */
public record RecipeRequest(String name, String method, Boolean perChannel, Boolean symmetric, Integer blockSize,
        String calibrationMethod, Double percentile, List<String> excludeNodes, List<String> excludeOpTypes,
        Double accuracyBudget, String notes) {
}
