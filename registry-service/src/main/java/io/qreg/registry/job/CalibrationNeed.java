package io.qreg.registry.job;

import java.util.Optional;

import io.qreg.engine.quant.weightonly.Algorithm;
import io.qreg.registry.recipe.RecipeView;

/**
 * Recipe fields beyond int8-static that only work on calibration data: GPTQ's Hessians and AWQ's scale search are
 * fitted to calibration activations, and a bits-per-weight target is planned from sensitivities measured on them.
 * A QUANTIZE job without a calibration dataset is refused for them at submission rather than failing on a worker.
 */
final class CalibrationNeed {

    private CalibrationNeed() {
    }

    /** Why the recipe needs calibration data ("uses algorithm gptq"), or empty if it does not. */
    static Optional<String> of(RecipeView recipe) {
        if (recipe.algorithm() != null && Algorithm.parse(recipe.algorithm()).needsCalibration()) {
            return Optional.of("uses algorithm " + recipe.algorithm() + ", fitted to calibration activations");
        }
        if (recipe.targetBitsPerWeight() != null) {
            return Optional.of("sets targetBitsPerWeight, planned from sensitivities measured on calibration data");
        }
        return Optional.empty();
    }
}
