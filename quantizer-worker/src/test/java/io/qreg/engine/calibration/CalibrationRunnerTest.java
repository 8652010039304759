package io.qreg.engine.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.QuantizationException;
import io.qreg.npy.NpyDType;
import io.qreg.npy.NpyWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationRunnerTest {

    @TempDir
    Path dir;

    @Test
    void rankMismatchNamesTheInputAndBothShapes() throws Exception {
        OnnxModel cnn = OnnxModel.load(copy("digits_cnn.onnx"));
        Path flat = copy("digits_calib_x.npy");

        assertThatThrownBy(() -> CalibrationData.load(cnn.graph(), Map.of("input", flat)))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("'input'")
                .hasMessageContaining("[200, 64]")
                .hasMessageContaining("[batch, 1, 8, 8]");
    }

    @Test
    void fixedDimensionMismatchNamesTheAxis() throws Exception {
        OnnxModel mlp = OnnxModel.load(copy("digits_mlp.onnx"));
        Path file = write("wide.npy", NpyDType.FLOAT32, new long[] {4, 65}, new float[4 * 65]);

        assertThatThrownBy(() -> CalibrationData.load(mlp.graph(), Map.of("input", file)))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("'input'")
                .hasMessageContaining("axis 1 is 65, expected 64");
    }

    @Test
    void elementTypeMismatchNamesTheInputAndBothDtypes() throws Exception {
        OnnxModel mlp = OnnxModel.load(copy("digits_mlp.onnx"));
        Path file = dir.resolve("ids.npy");
        try (OutputStream out = Files.newOutputStream(file)) {
            NpyWriter.write(out, NpyDType.INT64, new long[] {4, 64}, new long[4 * 64]);
        }

        assertThatThrownBy(() -> CalibrationData.load(mlp.graph(), Map.of("input", file)))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("'input'")
                .hasMessageContaining("int64 [4, 64]")
                .hasMessageContaining("float32 [batch, 64]");
    }

    @Test
    void missingCalibrationInputIsAClearError() throws Exception {
        OnnxModel mlp = OnnxModel.load(copy("digits_mlp.onnx"));

        assertThatThrownBy(() -> CalibrationData.load(mlp.graph(), Map.of()))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("model input 'input' has no calibration file")
                .hasMessageContaining("--calibration input=FILE.npy");
    }

    @Test
    void calibrationFileForAnUnknownInputIsRejected() throws Exception {
        OnnxModel mlp = OnnxModel.load(copy("digits_mlp.onnx"));
        Path flat = copy("digits_calib_x.npy");

        assertThatThrownBy(() -> CalibrationData.load(mlp.graph(), Map.of("input", flat, "pixels", flat)))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("[pixels]")
                .hasMessageContaining("not a model input");
    }

    @Test
    void runsTheSetInBatchesAndGetsTheSameRangesAsOneBigBatch() throws Exception {
        OnnxModel mlp = OnnxModel.load(copy("digits_mlp.onnx"));
        CalibrationData data = CalibrationData.load(mlp.graph(), Map.of("input", copy("digits_calib_x.npy")));
        Set<String> tensors = Set.of("/Relu_output_0", "/f2/Gemm_output_0", "logits");
        List<long[]> progress = new ArrayList<>();

        Map<String, MinMaxCalibrator> batched = new CalibrationRunner(16,
                (stage, done, total) -> progress.add(new long[] {done, total}))
                .calibrate(mlp, data, tensors, MinMaxCalibrator::new);
        Map<String, MinMaxCalibrator> whole = new CalibrationRunner(1000, null)
                .calibrate(mlp, data, tensors, MinMaxCalibrator::new);

        // 200 samples in batches of 16: 13 runs, each reported, after the initial 0 of 200.
        assertThat(progress).hasSize(14);
        assertThat(progress.get(1)).containsExactly(16, 200);
        assertThat(progress.get(13)).containsExactly(200, 200);
        for (String t : tensors) {
            assertThat(batched.get(t).observedRange()).isEqualTo(whole.get(t).observedRange());
        }
        assertThat(batched.get("/Relu_output_0").observedRange().min()).isEqualTo(0f);
        assertThat(mlp.graph().outputNames()).containsExactly("logits"); // the model itself is not augmented
    }

    private Path copy(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + name)) {
            Files.copy(in, target);
        }
        return target;
    }

    private Path write(String name, NpyDType dtype, long[] shape, float[] data) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            NpyWriter.write(out, dtype, shape, data);
        }
        return file;
    }
}
