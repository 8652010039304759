package io.qreg.worker.daemon;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.PostTrainingOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * The recipe fields a qat job refuses: any post-training option set to something that would change the
 * output. The registry sends every field (booleans as false, the rest as null or empty), and its
 * {@code symmetric} is a stored default rather than a choice, so only set values are refused.
 */
final class QatRecipe {

    private QatRecipe() {
    }

    static void refuseInapplicable(Method method, Map<String, Object> recipe, Map<String, Path> calibration) {
        if (method != Method.QAT) {
            return;
        }
        for (PostTrainingOption option : PostTrainingOption.values()) {
            boolean set = switch (option) {
                case CALIBRATION -> !calibration.isEmpty();
                case SYMMETRIC, MASK_GUARD -> false;
                case PER_CHANNEL -> Boolean.TRUE.equals(recipe.get(option.field()));
                default -> isSet(recipe.get(option.field()));
            };
            if (set) {
                throw new JobRunner.BadInputException("recipe: " + PostTrainingOption.refusal(option.field()));
            }
        }
    }

    private static boolean isSet(Object value) {
        return value != null && !(value instanceof Collection<?> c && c.isEmpty());
    }
}
