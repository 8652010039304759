package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.quant.Method;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QatRecipeTest {

    /** A qat recipe as the registry sends it: every field present, unset ones null, false or empty. */
    private static Map<String, Object> registryRecipe() {
        Map<String, Object> recipe = new HashMap<>();
        recipe.put("method", "qat");
        recipe.put("perChannel", false);
        recipe.put("symmetric", false);
        recipe.put("blockSize", null);
        recipe.put("calibrationMethod", null);
        recipe.put("percentile", null);
        recipe.put("excludeNodes", List.of());
        recipe.put("excludeOpTypes", List.of());
        recipe.put("accuracyBudget", null);
        return recipe;
    }

    @Test
    void aQatRecipeAsTheRegistrySendsItIsAccepted() {
        assertThat(RecipeFixtures.options(registryRecipe(), Map.of()).method()).isEqualTo(Method.QAT);
    }

    @Test
    void setPostTrainingFieldsAndACalibrationDatasetAreRefusedNamingTheField() {
        Map<String, Object> perChannel = registryRecipe();
        perChannel.put("perChannel", true);
        Map<String, Object> block = registryRecipe();
        block.put("blockSize", 32L);
        Map<String, Object> excluded = registryRecipe();
        excluded.put("excludeNodes", List.of("/f1/Gemm"));

        assertThatThrownBy(() -> RecipeFixtures.options(perChannel, Map.of()))
                .hasMessageContaining("perChannel does not apply to qat");
        assertThatThrownBy(() -> RecipeFixtures.options(block, Map.of())).hasMessageContaining("blockSize does not apply");
        assertThatThrownBy(() -> RecipeFixtures.options(excluded, Map.of()))
                .hasMessageContaining("excludeNodes does not apply");
        assertThatThrownBy(() -> RecipeFixtures.options(registryRecipe(), Map.of("input", Path.of("calib.npy"))))
                .hasMessageContaining("calibrationDataset does not apply to qat");
    }
}
