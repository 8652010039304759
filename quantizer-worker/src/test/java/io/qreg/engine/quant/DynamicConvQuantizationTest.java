package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.quant.QuantizedModels.Quantized;
import io.qreg.npy.NpyArray;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** int8-dynamic's Conv → ConvInteger, run in ONNX Runtime on the digits CNN's evaluation split. */
class DynamicConvQuantizationTest {

    @TempDir
    Path dir;

    @Test
    void digitsCnnConvolutionsBecomeConvIntegerAndKeepAccuracyWithinAPointOfFloat() throws Exception {
        Quantized q = quantizeKeepingAccuracy(QuantizationOptions.defaults(Method.INT8_DYNAMIC), "with ConvInteger");

        NpyArray x = ModelEval.npy("digits_eval_x_img.npy");
        double sqnr = ModelEval.sqnrDb(ModelEval.runAll(q.in(), "input", x), ModelEval.runAll(q.out(), "input", x));
        System.out.printf("digits_cnn int8-dynamic with ConvInteger: logits SQNR %.1f dB%n", sqnr);
        // Measured 43 dB with 8-bit weights and activations; a wrong scale, zero point or bias falls far below.
        assertThat(sqnr).isGreaterThan(35);
        assertThat(QuantizedModels.count(q.out(), "ConvInteger")).isEqualTo(2);
        assertThat(QuantizedModels.count(q.out(), "Conv")).isZero();
        QuantizationReport report = q.report();
        assertThat(report.layers()).filteredOn(l -> l.opType().equals("Conv")).hasSize(2)
                .allSatisfy(l -> assertThat(l.status()).isEqualTo(LayerReport.Status.QUANTIZED))
                .allSatisfy(l -> assertThat(l.detail()).startsWith("uint8 per-tensor symmetric, ConvInteger"));
        assertThat(report.precisionMix().layers()).containsEntry(WeightPrecision.INT8, 4L)
                .containsEntry(WeightPrecision.FP32, 0L);
    }

    @Test
    void perChannelConvScalesRunInOnnxRuntimeAndStaySymmetric() throws Exception {
        Quantized q = quantizeKeepingAccuracy(QuantizedModels.options(Method.INT8_DYNAMIC, true, false, 32),
                "per-channel");

        assertThat(q.report().layers()).filteredOn(l -> l.opType().equals("Conv"))
                .allSatisfy(l -> assertThat(l.detail()).startsWith("uint8 per-channel symmetric, ConvInteger")
                        .contains("ConvInteger takes one weight zero point"));
    }

    @Test
    void asymmetricPerTensorConvWeightsRunWithTheirZeroPoint() throws Exception {
        Quantized q = quantizeKeepingAccuracy(QuantizedModels.options(Method.INT8_DYNAMIC, false, false, 32),
                "asymmetric");

        assertThat(q.report().layers()).filteredOn(l -> l.opType().equals("Conv"))
                .allSatisfy(l -> assertThat(l.detail())
                        .isEqualTo("uint8 per-tensor asymmetric, ConvInteger + Add bias"));
    }

    /** Quantizes the digits CNN and checks its accuracy stays within a point of the float model's. */
    private Quantized quantizeKeepingAccuracy(QuantizationOptions options, String variant) throws Exception {
        Quantized q = QuantizedModels.quantize("digits_cnn.onnx", dir, options);
        double fp32 = accuracy(q.in());
        double int8 = accuracy(q.out());
        System.out.printf("digits_cnn int8-dynamic %s: accuracy %.4f (fp32 %.4f)%n", variant, int8, fp32);
        assertThat(int8).isGreaterThanOrEqualTo(fp32 - 0.01);
        return q;
    }

    private static double accuracy(Path model) throws Exception {
        NpyArray x = ModelEval.npy("digits_eval_x_img.npy");
        return ModelEval.accuracy(model, "input", x, ModelEval.npy("digits_eval_y.npy"));
    }
}
