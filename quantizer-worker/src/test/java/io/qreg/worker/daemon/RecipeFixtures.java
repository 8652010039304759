package io.qreg.worker.daemon;

import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.worker.protocol.RecipeOptions;
import java.nio.file.Path;
import java.util.Map;

/** A recipe as the registry's JSON sends it, read the way the claim reads it and turned into engine options. */
final class RecipeFixtures {

    private RecipeFixtures() {
    }

    static QuantizationOptions options(Map<String, Object> recipe, Map<String, Path> calibration) {
        return JobRunner.options(RecipeOptions.fromJson(recipe), calibration);
    }
}
