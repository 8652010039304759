package io.qreg.registry.job;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.web.ApiException;

/**
 * Checks a QUANTIZE job's recipe against the checkpoint's quantization state before anything is queued, with the
 * engine's own words: a checkpoint that already holds Q/DQ (a QAT export) takes only method qat, a float one
 * anything but qat, and qat uses no calibration dataset.
 */
final class QuantizedCheckpointRule {

    private QuantizedCheckpointRule() {
    }

    static void check(CheckpointView cp, RecipeView recipe, boolean hasCalibration) {
        Method method = Method.parse(recipe.method());
        String checkpoint = "checkpoint " + cp.modelName() + " " + cp.version();
        String recipeName = "recipe " + recipe.name() + "@" + recipe.version() + " is " + method.wireName();
        if (cp.quantized() && method.isPostTraining()) {
            throw ApiException.invalid("method", checkpoint + " is already quantized; use method qat (" + recipeName
                    + ", which would quantize it a second time)");
        }
        if (!cp.quantized() && !method.isPostTraining()) {
            throw ApiException.invalid("method", checkpoint + " has no QuantizeLinear/DequantizeLinear to import;"
                    + " use a post-training method (" + recipeName + ")");
        }
        if (hasCalibration) {
            MethodOptions.refusal(method, Option.CALIBRATION, Surface.RECIPE).ifPresent(message -> {
                throw ApiException.invalid(Option.CALIBRATION.field(), message);
            });
        }
    }
}
