package io.qreg.worker.daemon;

import io.qreg.worker.protocol.JobAssignment;
import io.qreg.worker.protocol.ResultStatus;
import io.qreg.worker.protocol.ProtocolException;

import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobRunnerTest {

    @TempDir
    Path dir;

    @Test
    void recipeFieldsMapOntoQuantizationOptions() {
        Map<String, Object> recipe = new HashMap<>();
        recipe.put("method", "int8-static");
        recipe.put("perChannel", true);
        recipe.put("symmetric", false);
        recipe.put("blockSize", null);
        recipe.put("calibrationMethod", "percentile");
        recipe.put("percentile", 99.9);
        recipe.put("excludeNodes", List.of("fc2"));
        recipe.put("excludeOpTypes", List.of("Gather"));
        recipe.put("accuracyBudget", 0.02);
        Map<String, Path> calibration = Map.of("input", dir.resolve("input.npy"));

        QuantizationOptions options = RecipeFixtures.options(recipe, calibration);
        assertThat(options.method()).isEqualTo(Method.INT8_STATIC);
        assertThat(options.perChannel()).isTrue();
        assertThat(options.symmetric()).isFalse();
        assertThat(options.blockSize()).isEqualTo(QuantizationOptions.DEFAULT_BLOCK_SIZE);
        assertThat(options.calibrationMethod()).isEqualTo(CalibrationMethod.PERCENTILE);
        assertThat(options.percentile()).isEqualTo(99.9);
        assertThat(options.excludeNodes()).isEqualTo(Set.of("fc2"));
        assertThat(options.excludeOpTypes()).isEqualTo(Set.of("Gather"));
        assertThat(options.accuracyBudget()).isEqualTo(0.02);
        assertThat(options.calibrationInputs()).isEqualTo(calibration);
    }

    @Test
    void absentRecipeFieldsTakeTheMethodDefaults() {
        QuantizationOptions options = RecipeFixtures.options(Map.of("method", "int4-weight", "blockSize", 64L), Map.of());
        QuantizationOptions defaults = QuantizationOptions.defaults(Method.INT4_WEIGHT);
        assertThat(options.symmetric()).isEqualTo(defaults.symmetric());
        assertThat(options.blockSize()).isEqualTo(64);
        assertThat(options.calibrationMethod()).isEqualTo(defaults.calibrationMethod());
    }

    @Test
    void recipesTheEngineCannotRunAreBadInput() {
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int3"), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class).hasMessageContaining("int3");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int8-static"), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class).hasMessageContaining("calibration dataset");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int4-weight", "blockSize", 48L), Map.of()))
                .isInstanceOf(JobRunner.BadInputException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> RecipeFixtures.options(Map.of("method", "int8-dynamic", "perChannel", "yes"), Map.of()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("perChannel");
    }

    @Test
    void aClaimWhoseRecipeCannotBeReadFailsWithoutRetriesNamingTheField() {
        JobAssignment job = JobAssignment.fromJson(Map.of("id", "j1", "type", "QUANTIZE", "attempt", 1L,
                "recipe", Map.of("method", "int8-dynamic", "perChannel", "yes")));
        JobResult result = new JobRunner(null, null).run(job, null, null);
        assertThat(result.status()).isEqualTo(ResultStatus.FAILED);
        assertThat(result.retryable()).isFalse();
        assertThat(result.error()).isEqualTo("recipe: \"perChannel\" should be a boolean, got a string");
    }

    @Test
    void aLoneNpyFeedsTheModelsSingleInput() throws Exception {
        Path npy = dir.resolve("upload.bin");
        try (OutputStream out = Files.newOutputStream(npy)) {
            NpyWriter.write(out, NpyArray.ofFloats(new float[] {1, 2, 3, 4}, 2, 2));
        }
        DatasetFiles files = DatasetFiles.extract(npy, List.of("pixels"), dir.resolve("out"));
        assertThat(files.inputs()).containsOnlyKeys("pixels");
        assertThat(NpyArray.read(files.inputs().get("pixels")).shape()).containsExactly(2, 2);
        assertThat(files.labels()).isNull();

        assertThatThrownBy(() -> DatasetFiles.extract(npy, List.of("ids", "mask"), dir.resolve("out2")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("[ids, mask]");
    }

    @Test
    void anNpzNamesItsArraysByInputWithLabelsAndSlicesApart() throws Exception {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("ids", NpyArray.ofLongs(new long[] {1, 2}, 2, 1));
        arrays.put("labels", NpyArray.ofLongs(new long[] {0, 1}, 2));
        arrays.put("slices", NpyArray.ofLongs(new long[] {3, 3}, 2));
        arrays.put("serving:0", NpyArray.ofLongs(new long[] {5, 6}, 2, 1));
        Path npz = dir.resolve("data.npz");
        NpyWriter.writeNpz(npz, arrays);

        DatasetFiles files = DatasetFiles.extract(npz, List.of("ids"), dir.resolve("out"));
        assertThat(files.inputs()).containsOnlyKeys("ids", "serving:0");
        assertThat(files.inputs().get("ids").getFileName()).hasToString("ids.npy");
        assertThat(files.inputs().get("serving:0").getFileName().toString()).matches("array-\\d+\\.npy");
        assertThat(NpyArray.read(files.labels()).toLongArray()).containsExactly(0, 1);
        assertThat(NpyArray.read(files.slices()).toLongArray()).containsExactly(3, 3);
    }
}
