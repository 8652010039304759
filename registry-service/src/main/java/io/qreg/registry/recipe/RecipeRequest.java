package io.qreg.registry.recipe;

import java.util.List;

/**
 * A recipe as posted: every field but name and method may be left out to take its default. {@code smoothQuantAlpha}
 * is a number in [0, 1] or the string {@code auto}, so it is taken as whatever JSON value was sent.
 */
public record RecipeRequest(String name, String method, Boolean perChannel, Boolean symmetric, Integer blockSize,
        String calibrationMethod, Double percentile, List<String> excludeNodes, List<String> excludeOpTypes,
        Double accuracyBudget, String notes, String algorithm, Double gptqDamp, Boolean actOrder,
        Object smoothQuantAlpha, Double targetBitsPerWeight) {

    /** A recipe without the issue-13 fields (algorithm, GPTQ settings, smoothing, bits target): all at defaults. */
    public RecipeRequest(String name, String method, Boolean perChannel, Boolean symmetric, Integer blockSize,
            String calibrationMethod, Double percentile, List<String> excludeNodes, List<String> excludeOpTypes,
            Double accuracyBudget, String notes) {
        this(name, method, perChannel, symmetric, blockSize, calibrationMethod, percentile, excludeNodes,
                excludeOpTypes, accuracyBudget, notes, null, null, null, null, null);
    }
}
