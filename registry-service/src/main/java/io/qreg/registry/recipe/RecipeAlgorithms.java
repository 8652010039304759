package io.qreg.registry.recipe;

import java.util.Locale;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.weightonly.Algorithm;
import io.qreg.registry.web.ApiException;

/**
 * The recipe fields that refine a method: {@code algorithm} (rtn|gptq|awq|hqq, int4-weight and int8-weight), {@code gptqDamp}
 * and {@code actOrder} (gptq only), {@code smoothQuantAlpha} (int8-static: a number in [0, 1] or "auto") and
 * {@code targetBitsPerWeight} (int4-weight). Each is refused by name where it would change nothing, and each is
 * null in the spec at its default so older recipes keep their hashes. Which method takes which field is the
 * engine's {@link MethodOptions} table, as for every other option.
 */
final class RecipeAlgorithms {

    static final String AUTO = "auto";

    /** The validated values, null where the default applies. */
    record Fields(String algorithm, Double gptqDamp, Boolean actOrder, Object smoothQuantAlpha,
            Double targetBitsPerWeight) {
    }

    private RecipeAlgorithms() {
    }

    static Fields validate(RecipeRequest r, Method method) {
        String algorithm = algorithm(r, method);
        boolean gptq = Algorithm.GPTQ.wireName().equals(algorithm);
        if (r.gptqDamp() != null && !gptq) {
            throw ApiException.invalid("gptqDamp", "gptqDamp applies only with algorithm 'gptq'");
        }
        if (r.actOrder() != null && !gptq) {
            throw ApiException.invalid("actOrder", "actOrder applies only with algorithm 'gptq'");
        }
        Double damp = null;
        Boolean actOrder = null;
        if (gptq) {
            damp = r.gptqDamp() == null ? QuantizationOptions.DEFAULT_GPTQ_DAMP : r.gptqDamp();
            if (!(damp > 0 && damp < 1)) {
                throw ApiException.invalid("gptqDamp", "gptqDamp is the Hessian dampening as a fraction of its mean"
                        + " diagonal, above 0 and below 1 (e.g. 0.01), got " + damp);
            }
            actOrder = Boolean.TRUE.equals(r.actOrder());
        }
        return new Fields(Algorithm.RTN.wireName().equals(algorithm) ? null : algorithm, damp, actOrder, smoothQuantAlpha(r, method),
                targetBitsPerWeight(r, method, algorithm));
    }

    private static String algorithm(RecipeRequest r, Method method) {
        if (r.algorithm() == null) {
            return hasAlgorithm(method) ? Algorithm.RTN.wireName() : null;
        }
        refuseOutsideItsMethods(method, Option.ALGORITHM);
        String algorithm = r.algorithm().toLowerCase(Locale.ROOT);
        if (!Algorithm.wireNames().contains(algorithm)) {
            throw ApiException.invalid("algorithm", "algorithm must be one of "
                    + String.join(", ", Algorithm.wireNames())
                    + ", got '" + io.qreg.registry.web.Excerpt.of(r.algorithm()) + "'");
        }
        return algorithm;
    }

    private static Object smoothQuantAlpha(RecipeRequest r, Method method) {
        Object alpha = r.smoothQuantAlpha();
        if (alpha == null) {
            return null;
        }
        refuseOutsideItsMethods(method, Option.SMOOTH_QUANT);
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

    private static Double targetBitsPerWeight(RecipeRequest r, Method method, String algorithm) {
        Double target = r.targetBitsPerWeight();
        if (target == null) {
            return null;
        }
        refuseOutsideItsMethods(method, Option.TARGET_BITS_PER_WEIGHT);
        if (!(target > 0 && target <= 32)) {
            throw ApiException.invalid("targetBitsPerWeight", "targetBitsPerWeight is the most bits per weight the"
                    + " model may store, scales and zero points included, above 0 and at most 32 (e.g. 5.5), got "
                    + target);
        }
        if (r.accuracyBudget() != null) {
            throw ApiException.invalid("targetBitsPerWeight", "targetBitsPerWeight and accuracyBudget both decide"
                    + " which layers stay in float; give one of them");
        }
        // The target is int4-weight's only, whose recipes default to zero points (symmetric false).
        MethodOptions.targetRefusal(Algorithm.parse(algorithm), Boolean.TRUE.equals(r.symmetric()), Surface.RECIPE)
                .ifPresent(message -> {
                    throw ApiException.invalid(Option.TARGET_BITS_PER_WEIGHT.field(), message);
                });
        return target;
    }

    /** Whether recipes of {@code method} carry a weight-only {@code algorithm} ({@link MethodOptions}' table). */
    static boolean hasAlgorithm(Method method) {
        return MethodOptions.applies(method, Option.ALGORITHM);
    }

    private static void refuseOutsideItsMethods(Method method, Option option) {
        MethodOptions.refusal(method, option, Surface.RECIPE).ifPresent(message -> {
            throw ApiException.invalid(option.field(), message);
        });
    }
}
