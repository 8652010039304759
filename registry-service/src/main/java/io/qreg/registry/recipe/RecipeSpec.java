package io.qreg.registry.recipe;

import java.util.List;

/**
 * A validated recipe with every default filled in: the content its hash is computed over, so two
 * requests that mean the same configuration hash alike whatever they left out.
 */
public record RecipeSpec(String method, boolean perChannel, boolean symmetric, Integer blockSize,
        String calibrationMethod, Double percentile, List<String> excludeNodes, List<String> excludeOpTypes,
        Double accuracyBudget, String notes) {
}
