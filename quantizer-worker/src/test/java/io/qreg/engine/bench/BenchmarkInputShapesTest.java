package io.qreg.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.eval.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Benchmark inputs whose shapes the model does not say: refused naming input and dimension, or set by --shape. */
class BenchmarkInputShapesTest {

    @TempDir
    Path dir;

    private static BenchmarkOptions options(Map<String, long[]> shapes) {
        return new BenchmarkOptions(2, 1, 3, 1, 16, 1L, Map.of(), 1, shapes);
    }

    @Test
    void allSymbolicFloatInputIsRefusedNamingTheDimensionAndHowToSetIt() throws Exception {
        Path model = ShapeModels.model(dir, "symbolic.onnx", ShapeModels.symbolic("batch", "features"));

        assertThatThrownBy(() -> BenchmarkRunner.run(List.of(model), options(Map.of()), ProgressListener.NONE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("input 'x' dimension 1 ('features') is symbolic; set it with --shape x=2xfeatures"
                        + " or --input x=FILE.npy");
    }

    @Test
    void aGivenShapeMakesTheSameModelRun() throws Exception {
        Path model = ShapeModels.model(dir, "symbolic.onnx", ShapeModels.symbolic("batch", "features"));

        BenchmarkReport report = BenchmarkRunner.run(List.of(model), options(Map.of("x", new long[] {5, 4})),
                ProgressListener.NONE);

        assertThat(report.results().get(0).batch()).isEqualTo(5);
        assertThat(report.results().get(0).latency().runs()).isEqualTo(3);
    }

    @Test
    void anInputWithoutAnyShapeIsRefusedUntilAShapeIsGiven() throws Exception {
        Path model = ShapeModels.model(dir, "shapeless.onnx", null);

        assertThatThrownBy(() -> BenchmarkRunner.run(List.of(model), options(Map.of()), ProgressListener.NONE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("input 'x' has no shape in shapeless.onnx; set it with --shape x=");
        assertThat(BenchmarkRunner.run(List.of(model), options(Map.of("x", new long[] {1, 4})), ProgressListener.NONE)
                .results()).hasSize(1);
    }

    @Test
    void aShapeTheRuntimeCannotComputeIsBadInputNotACrash() throws Exception {
        Path model = ShapeModels.model(dir, "symbolic.onnx", ShapeModels.symbolic("batch", "features"));

        assertThatThrownBy(() -> BenchmarkRunner.run(List.of(model), options(Map.of("x", new long[] {1, 7})),
                ProgressListener.NONE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("ONNX Runtime cannot run symbolic.onnx on inputs [x [1, 7]]");
    }
}
