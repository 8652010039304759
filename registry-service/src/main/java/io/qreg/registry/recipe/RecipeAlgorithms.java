package io.qreg.registry.recipe;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.registry.web.ApiException;

/**
 * The recipe fields of issue 13: {@code algorithm} (rtn|gptq|awq|hqq, int4-weight and int8-weight), {@code gptqDamp}
 * and {@code actOrder} (gptq only), {@code smoothQuantAlpha} (int8-static: a number in [0, 1] or "auto") and
 * {@code targetBitsPerWeight} (int4-weight). Each is refused by name where it would change nothing, and each is
 * null in the spec at its default so older recipes keep their hashes.
 */
final class RecipeAlgorithms {

    static final List<String> ALGORITHMS = List.of("rtn", "gptq", "awq", "hqq");
    /** The algorithms that fit weights to calibration activations. */
    static final Set<String> NEED_CALIBRATION = Set.of("gptq", "awq");
    static final Set<String> METHODS_WITH_ALGORITHM = Set.of(Method.INT4_WEIGHT.wireName(),
            Method.INT8_WEIGHT.wireName());
    static final double DEFAULT_GPTQ_DAMP = 0.01;
    static final String AUTO = "auto";

    /** The validated values, null where the default applies. */
    record Fields(String algorithm, Double gptqDamp, Boolean actOrder, Object smoothQuantAlpha,
            Double targetBitsPerWeight) {
    }

    private RecipeAlgorithms() {
    }

    static Fields validate(RecipeRequest r, Method method) {
        String algorithm = algorithm(r, method);
        boolean gptq = "gptq".equals(algorithm);
        if (r.gptqDamp() != null && !gptq) {
            throw ApiException.invalid("gptqDamp", "gptqDamp applies only with algorithm 'gptq'");
        }
        if (r.actOrder() != null && !gptq) {
            throw ApiException.invalid("actOrder", "actOrder applies only with algorithm 'gptq'");
        }
        Double damp = null;
        Boolean actOrder = null;
        if (gptq) {
            damp = r.gptqDamp() == null ? DEFAULT_GPTQ_DAMP : r.gptqDamp();
            if (!(damp > 0 && damp < 1)) {
                throw ApiException.invalid("gptqDamp", "gptqDamp is the Hessian dampening as a fraction of its mean"
                        + " diagonal, above 0 and below 1 (e.g. 0.01), got " + damp);
            }
            actOrder = Boolean.TRUE.equals(r.actOrder());
        }
        return new Fields("rtn".equals(algorithm) ? null : algorithm, damp, actOrder, smoothQuantAlpha(r, method),
                targetBitsPerWeight(r, method));
    }

    private static String algorithm(RecipeRequest r, Method method) {
        if (r.algorithm() == null) {
            return METHODS_WITH_ALGORITHM.contains(method.wireName()) ? "rtn" : null;
        }
        if (!METHODS_WITH_ALGORITHM.contains(method.wireName())) {
            throw ApiException.invalid("algorithm", "algorithm does not apply to " + method.wireName()
                    + ": it chooses how int4-weight and int8-weight round their weights");
        }
        String algorithm = r.algorithm().toLowerCase(Locale.ROOT);
        if (!ALGORITHMS.contains(algorithm)) {
            throw ApiException.invalid("algorithm", "algorithm must be one of " + String.join(", ", ALGORITHMS)
                    + ", got '" + io.qreg.registry.web.Excerpt.of(r.algorithm()) + "'");
        }
        return algorithm;
    }

    private static Object smoothQuantAlpha(RecipeRequest r, Method method) {
        Object alpha = r.smoothQuantAlpha();
        if (alpha == null) {
            return null;
        }
        if (method != Method.INT8_STATIC) {
            throw ApiException.invalid("smoothQuantAlpha", "smoothQuantAlpha does not apply to " + method.wireName()
                    + ": SmoothQuant moves activation outliers into the weights before int8-static's calibration");
        }
        if (AUTO.equals(alpha)) {
            return AUTO;
        }
        if (alpha instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1) {
            return n.doubleValue();
        }
        throw ApiException.invalid("smoothQuantAlpha", "smoothQuantAlpha is a number from 0 to 1 (e.g. 0.5) or"
                + " \"auto\" to search 0.3-0.8 on the calibration data, got " + io.qreg.registry.web.Excerpt.of(
                        String.valueOf(alpha)));
    }

    private static Double targetBitsPerWeight(RecipeRequest r, Method method) {
        Double target = r.targetBitsPerWeight();
        if (target == null) {
            return null;
        }
        MethodOptions.refusal(method, MethodOptions.Option.TARGET_BITS_PER_WEIGHT, MethodOptions.Surface.RECIPE)
                .ifPresent(message -> {
                    throw ApiException.invalid("targetBitsPerWeight", message);
                });
        if (!(target > 0 && target <= 32)) {
            throw ApiException.invalid("targetBitsPerWeight", "targetBitsPerWeight is the most bits per weight the"
                    + " model may store, scales and zero points included, above 0 and at most 32 (e.g. 5.5), got "
                    + target);
        }
        if (r.accuracyBudget() != null) {
            throw ApiException.invalid("targetBitsPerWeight", "targetBitsPerWeight and accuracyBudget both decide"
                    + " which layers stay in float; give one of them");
        }
        return target;
    }
}
