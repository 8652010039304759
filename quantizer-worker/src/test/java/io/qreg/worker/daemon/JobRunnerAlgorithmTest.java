package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.weightonly.Algorithm;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The recipe fields algorithm, gptqDamp and actOrder as the worker reads them (alone and with targetBitsPerWeight),
 * and their refusals.
 */
class JobRunnerAlgorithmTest {

    private static final Map<String, Path> CALIBRATION = Map.of("input", Path.of("input.npy"));

    @Test
    void recipeAlgorithmFieldsMapOntoTheOptions() {
        QuantizationOptions options = RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "gptq",
                "gptqDamp", 0.05, "actOrder", true), CALIBRATION);
        assertThat(options.algorithm()).isEqualTo(Algorithm.GPTQ);
        assertThat(options.gptqDamp()).isEqualTo(0.05);
        assertThat(options.actOrder()).isTrue();
    }

    @Test
    void aBitsTargetComposesWithTheAlgorithm() {
        QuantizationOptions gptq = RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "gptq",
                "targetBitsPerWeight", 5.5, "symmetric", true), CALIBRATION);
        assertThat(gptq.algorithm()).isEqualTo(Algorithm.GPTQ);
        assertThat(gptq.targetBitsPerWeight()).isEqualTo(5.5);
        QuantizationOptions hqq = RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "hqq",
                "targetBitsPerWeight", 5.5, "symmetric", true), CALIBRATION);
        assertThat(hqq.algorithm()).isEqualTo(Algorithm.HQQ);
        assertThat(hqq.targetBitsPerWeight()).isEqualTo(5.5);
    }

    @Test
    void aBitsTargetWithHqqZeroPointsIsBadInputNamingTheFields() {
        // int4-weight recipes default to zero points, which HQQ cannot write at int8 (the mix's upgrade).
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "hqq",
                "targetBitsPerWeight", 5.5), CALIBRATION))
                .isInstanceOf(JobRunner.BadInputException.class)
                .hasMessageStartingWith("recipe: targetBitsPerWeight with algorithm hqq needs symmetric true");
    }

    @Test
    void absentAlgorithmFieldsMeanRtnWithGptqsDefaults() {
        QuantizationOptions options = RecipeFixtures.options(Map.of("method", "int4-weight"), Map.of());
        assertThat(options.algorithm()).isEqualTo(Algorithm.RTN);
        assertThat(options.gptqDamp()).isEqualTo(QuantizationOptions.DEFAULT_GPTQ_DAMP);
        assertThat(options.actOrder()).isFalse();
    }

    @Test
    void theDefaultsSentWithEveryRecipeAskForNothingAndAreAccepted() {
        QuantizationOptions dynamic = RecipeFixtures.options(Map.of("method", "int8-dynamic", "algorithm", "rtn",
                "gptqDamp", QuantizationOptions.DEFAULT_GPTQ_DAMP, "actOrder", false), Map.of());
        assertThat(dynamic.algorithm()).isEqualTo(Algorithm.RTN);
        QuantizationOptions rtn = RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "rtn",
                "gptqDamp", QuantizationOptions.DEFAULT_GPTQ_DAMP, "actOrder", false), Map.of());
        assertThat(rtn.algorithm()).isEqualTo(Algorithm.RTN);
    }

    @Test
    void recipesWhoseAlgorithmFieldsCannotApplyAreBadInputNamingTheField() {
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "gptq"), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class)
                .hasMessage("recipe: gptq reads the activations each layer sees: it needs a calibration dataset"
                        + " (calibrationDataset)");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "awq"), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class).hasMessageContaining("calibrationDataset");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int4-weight", "gptqDamp", 0.1), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class)
                .hasMessage("recipe: gptqDamp applies only with algorithm gptq, not rtn");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "hqq",
                "actOrder", true), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class).hasMessageContaining("actOrder");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int8-dynamic", "algorithm", "gptq"), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class)
                .hasMessageStartingWith("recipe: algorithm does not apply to int8-dynamic");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "obq"), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class).hasMessageContaining("unknown algorithm 'obq'");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int4-weight", "algorithm", "gptq",
                "gptqDamp", 2.0), CALIBRATION))
                .isInstanceOf(JobRunner.BadInputException.class).hasMessageContaining("damp");
    }
}
