package io.qreg.engine.quant.qdq;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.npy.NpyArray;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmoothQuant on {@code bytelm_small}, a model without activation outliers (per-channel mean |x| at most 3.5× the
 * median): it must do no harm. Static with and without it are measured in the same run.
 */
class SmoothQuantByteLmTest {

    @TempDir
    Path dir;

    @Test
    void smoothingAtAlphaHalfDoesNoHarmToPerplexityWhereThereAreNoOutliers() throws Exception {
        Path model = QdqFixtures.copy("bytelm_small.onnx", dir);
        Path calibration = QdqFixtures.copy("bytelm_small_calib_ids.npy", dir);
        NpyArray ids = QdqFixtures.npy("bytelm_small_eval_ids.npy");
        NpyArray labels = QdqFixtures.npy("bytelm_small_eval_labels.npy");
        QuantizationOptions plain = QuantizationOptions.defaults(Method.INT8_STATIC)
                .withCalibrationInputs(Map.of("input_ids", calibration));
        Path plainOut = dir.resolve("static.onnx");
        Path smoothOut = dir.resolve("smooth.onnx");

        QdqFixtures.quantize(model, plain, plainOut);
        QuantizationContext smoothed = QdqFixtures.quantize(model, plain.withSmoothQuantAlpha(0.5), smoothOut);

        double plainPpl = QdqFixtures.perplexity(plainOut, ids, labels);
        double smoothPpl = QdqFixtures.perplexity(smoothOut, ids, labels);
        System.out.printf("bytelm_small int8-static perplexity: without SmoothQuant %.4f, with alpha 0.5 %.4f%n",
                plainPpl, smoothPpl);
        assertThat(smoothed.notes()).anyMatch(n -> n.startsWith("SmoothQuant alpha 0.50 smoothed 9 MatMul/Gemm layers reading 9"));
        // Measured 6.1583 without and 6.1656 with: within the noise of which values round where (other alphas
        // measured 6.1555-6.1625), so the bound is no worse by more than 0.01.
        assertThat(smoothPpl).isLessThanOrEqualTo(plainPpl + 0.01);
    }
}
