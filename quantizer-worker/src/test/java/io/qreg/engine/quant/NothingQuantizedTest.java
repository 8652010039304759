package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.pipeline.Quantizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose written model has no layer below float32 is refused, and nothing is written. */
class NothingQuantizedTest {

    @TempDir
    Path dir;

    private QuantizationOptions options(Method method, Set<String> excludeOpTypes, String calibration, Double budget)
            throws Exception {
        QuantizationOptions d = QuantizationOptions.defaults(method);
        Map<String, Path> inputs = calibration == null ? Map.of() : Map.of("input", ModelEval.copy(calibration, dir));
        return new QuantizationOptions(method, false, d.symmetric(), d.blockSize(), d.calibrationMethod(),
                d.percentile(), Set.of(), excludeOpTypes, inputs, budget, null, true);
    }

    @Test
    void excludingEveryOpTypeIsRefusedNamingWhy() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("out.onnx");

        assertThatThrownBy(() -> Quantizer.quantize(in, out,
                options(Method.INT8_DYNAMIC, Set.of("Gemm", "MatMul", "Gather"), null, null), null))
                .isInstanceOf(QuantizationException.class)
                .hasMessage("nothing was quantized: 0 of 3 layers: 3 excluded by the options");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMethodThatHandlesNoneOfTheLayersIsRefused() throws Exception {
        Path in = ModelEval.copy("digits_cnn.onnx", dir);
        Path out = dir.resolve("out.onnx");

        assertThatThrownBy(() -> Quantizer.quantize(in, out,
                options(Method.INT4_WEIGHT, Set.of("Gemm"), null, null), null))
                .hasMessage("nothing was quantized: 0 of 4 layers: 2 unsupported by int4-weight (Conv),"
                        + " 2 excluded by the options");
        assertThat(out).doesNotExist();
    }

    @Test
    void anAccuracyBudgetThatFallsBackEveryLayerIsRefused() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("out.onnx");

        // The case that was seen: an int8-static recipe whose budget no quantized layer can meet.
        assertThatThrownBy(() -> Quantizer.quantize(in, out,
                options(Method.INT8_STATIC, Set.of(), "digits_calib_x.npy", 1e-12), null))
                .isInstanceOf(QuantizationException.class)
                .hasMessage("nothing was quantized: 0 of 3 layers: 3 kept in float by the accuracy budget");
        assertThat(out).doesNotExist();
        assertThat(Files.list(dir).filter(p -> p.getFileName().toString().startsWith("out"))).isEmpty();
    }

    @Test
    void theSameBudgetWithDynamicQuantizationIsRefusedToo() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);

        assertThatThrownBy(() -> Quantizer.quantize(in, dir.resolve("out.onnx"),
                options(Method.INT8_DYNAMIC, Set.of(), "digits_calib_x.npy", 1e-12), null))
                .hasMessage("nothing was quantized: 0 of 3 layers: 3 kept in float by the accuracy budget");
    }
}
