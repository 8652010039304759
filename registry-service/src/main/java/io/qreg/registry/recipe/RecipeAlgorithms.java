package io.qreg.registry.recipe;

import java.util.Locale;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import io.qreg.engine.quant.OptionValues;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.weightonly.Algorithm;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Excerpt;

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
            RecipeValidator.requireAccepted(Option.GPTQ_DAMP, damp);
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
                    + ", got '" + Excerpt.of(r.algorithm()) + "'");
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
        if (alpha instanceof Number n) {
            RecipeValidator.requireAccepted(Option.SMOOTH_QUANT, n.doubleValue());
            return n.doubleValue();
        }
        try {
            OptionValues.parse(Option.SMOOTH_QUANT, Surface.RECIPE, Excerpt.of(String.valueOf(alpha)));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(Option.SMOOTH_QUANT.field(), e.getMessage());
        }
        // A number spelled as a string is refused too: the field holds a JSON number or "auto".
        throw ApiException.invalid(Option.SMOOTH_QUANT.field(), Option.SMOOTH_QUANT.field()
                + " is a JSON number or \"auto\", got the string \"" + Excerpt.of(String.valueOf(alpha)) + "\"");
    }

    private static Double targetBitsPerWeight(RecipeRequest r, Method method, String algorithm) {
        Double target = r.targetBitsPerWeight();
        if (target == null) {
            return null;
        }
        refuseOutsideItsMethods(method, Option.TARGET_BITS_PER_WEIGHT);
        RecipeValidator.requireAccepted(Option.TARGET_BITS_PER_WEIGHT, target);
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
