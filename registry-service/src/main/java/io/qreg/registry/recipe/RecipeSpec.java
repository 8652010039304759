package io.qreg.registry.recipe;

import io.qreg.engine.quant.weightonly.Algorithm;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A validated recipe with every default filled in: the content its hash is computed over, so two
 * requests that mean the same configuration hash alike whatever they left out.
 *
 * <p>The fields added with issue 13 are left out of the canonical JSON while at their defaults (null here:
 * algorithm rtn, no GPTQ settings, no smoothing, no bits target), so every recipe stored before them keeps its
 * hash; {@link #effectiveAlgorithm()} gives the algorithm a weight-only recipe runs with.
 */
public record RecipeSpec(String method, boolean perChannel, boolean symmetric, Integer blockSize,
        String calibrationMethod, Double percentile, List<String> excludeNodes, List<String> excludeOpTypes,
        Double accuracyBudget, String notes,
        @JsonInclude(JsonInclude.Include.NON_NULL) String algorithm,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double gptqDamp,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean actOrder,
        @JsonInclude(JsonInclude.Include.NON_NULL) Object smoothQuantAlpha,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double targetBitsPerWeight) {

    public static final String DEFAULT_ALGORITHM = Algorithm.RTN.wireName();

    /** rtn unless another was asked for, on the methods that have an algorithm; null on the others. */
    public String effectiveAlgorithm() {
        if (algorithm != null) {
            return algorithm;
        }
        return RecipeValidator.hasAlgorithm(method) ? DEFAULT_ALGORITHM : null;
    }
}
