package io.qreg.registry.recipe;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.PostTrainingOption;
import io.qreg.registry.web.ApiException;
import java.util.List;

/**
 * A qat recipe takes none of the post-training fields ({@link PostTrainingOption}): the QAT export fixes every
 * grid, so a field that would be silently ignored is refused with a 400 naming it.
 */
final class QatRecipeRule {

    private QatRecipeRule() {
    }

    static void refuseInapplicable(Method method, RecipeRequest r) {
        if (method != Method.QAT) {
            return;
        }
        for (PostTrainingOption option : PostTrainingOption.values()) {
            Object value = switch (option) {
                case PER_CHANNEL -> r.perChannel();
                case SYMMETRIC -> r.symmetric();
                case BLOCK_SIZE -> r.blockSize();
                case CALIBRATION_METHOD -> r.calibrationMethod();
                case PERCENTILE -> r.percentile();
                case ACCURACY_BUDGET -> r.accuracyBudget();
                case EXCLUDE_NODES -> emptyToNull(r.excludeNodes());
                case EXCLUDE_OP_TYPES -> emptyToNull(r.excludeOpTypes());
                case CALIBRATION, MASK_GUARD -> null; // not recipe fields
            };
            if (value != null) {
                throw ApiException.invalid(option.field(), PostTrainingOption.refusal(option.field()));
            }
        }
    }

    private static Object emptyToNull(List<String> values) {
        return values == null || values.isEmpty() ? null : values;
    }
}
