package io.qreg.worker.daemon;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * The recipe fields a qat job refuses ({@link MethodOptions}: qat takes none): any option set to something that
 * would change a post-training output. The registry sends every field (booleans as false, the rest as null or
 * empty), and its {@code symmetric} is a stored default rather than a choice, so only set values are refused.
 * Recipes stored before the registry refused such fields would otherwise import silently ignoring them.
 */
final class QatRecipe {

    private QatRecipe() {
    }

    static void refuseInapplicable(Method method, Map<String, Object> recipe, Map<String, Path> calibration) {
        if (method != Method.QAT) {
            return;
        }
        for (Option option : Option.values()) {
            boolean set = switch (option) {
                case CALIBRATION -> !calibration.isEmpty();
                case SYMMETRIC, ASYMMETRIC, NO_MASK_GUARD -> false;
                case PER_CHANNEL, ACT_ORDER -> Boolean.TRUE.equals(recipe.get(option.field()));
                // The registry may send the default algorithm with every recipe; only another one is a request.
                case ALGORITHM -> isSet(recipe.get(option.field())) && !"rtn".equals(recipe.get(option.field()));
                case GPTQ_DAMP -> recipe.get(option.field()) instanceof Number n
                        && n.doubleValue() != io.qreg.engine.quant.QuantizationOptions.DEFAULT_GPTQ_DAMP;
                default -> isSet(recipe.get(option.field()));
            };
            if (set) {
                MethodOptions.refusal(method, option, Surface.RECIPE).ifPresent(message -> {
                    throw new JobRunner.BadInputException("recipe: " + message);
                });
            }
        }
    }

    private static boolean isSet(Object value) {
        return value != null && !(value instanceof Collection<?> c && c.isEmpty());
    }
}
