package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightOnlyQuantizationTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "digits_mlp.onnx, INT4_WEIGHT, digits_eval_x.npy, 0.978, 3",
        "digits_mlp.onnx, INT8_WEIGHT, digits_eval_x.npy, 0.978, 3",
        "digits_cnn.onnx, INT4_WEIGHT, digits_eval_x_img.npy, 0.986, 2",
        "digits_cnn.onnx, INT8_WEIGHT, digits_eval_x_img.npy, 0.986, 2"})
    void gemmLayersBecomeMatMulNBitsAndDigitsAccuracyHolds(String model, Method method, String x, double fp32,
            int gemms) throws Exception {
        Path in = ModelEval.copy(model, dir);
        Path out = dir.resolve("q.onnx");
        QuantizationReport report = Quantizer.quantize(in, out, QuantizationOptions.defaults(method), null);

        double accuracy = ModelEval.accuracy(out, "input", ModelEval.npy(x), ModelEval.npy("digits_eval_y.npy"));
        System.out.printf("%s %s: accuracy %.4f (FP32 %.3f), size %.3f%n", model, method.wireName(), accuracy, fp32,
                report.sizeRatio());
        assertThat(accuracy).isGreaterThanOrEqualTo(fp32 - 0.005);
        assertThat(QuantizedModels.count(out, "MatMulNBits")).isEqualTo(gemms);
        assertThat(QuantizedModels.count(out, "Gemm")).isZero();
        assertThat(report.count(LayerReport.Status.QUANTIZED)).isEqualTo(gemms);
    }

    @Test
    void blockLargerThanKIsPaddedAndZeroPointsArePacked() throws Exception {
        // digits_mlp has K = 64 and 256: with block 256 and zero points, f1's only block is 3/4 padding
        // and each row has one (odd) 4-bit zero point in its own byte.
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("q.onnx");
        QuantizationReport report = Quantizer.quantize(in, out,
                QuantizedModels.options(Method.INT4_WEIGHT, false, false, 256), null);

        double accuracy = ModelEval.digitsEvalAccuracy(out);
        System.out.printf("digits_mlp int4 block 256 with zero points: accuracy %.4f%n", accuracy);
        assertThat(accuracy).isGreaterThanOrEqualTo(0.978 - 0.02);
        assertThat(QuantizedModels.layer(report, "/f1/Gemm").detail()).isEqualTo(
                "int4 block 256 with zero points, RTN, MatMulNBits + Add bias (from Gemm)");
    }

    @Test
    void bytelmInt4Block32SymmetricPerplexityOnTheFullEvalSplit() throws Exception {
        Path in = ModelEval.copy("bytelm_small.onnx", dir);
        Path out = dir.resolve("lm_int4.onnx");
        QuantizationReport report = Quantizer.quantize(in, out,
                QuantizedModels.options(Method.INT4_WEIGHT, false, true, 32), null);

        double perplexity = ModelEval.bytelmEvalPerplexity(out);
        System.out.printf("bytelm_small int4-weight block 32 symmetric: perplexity %.4f, size %.3f%n", perplexity,
                report.sizeRatio());
        assertThat(perplexity).isLessThanOrEqualTo(6.30);
        assertThat(report.sizeRatio()).isLessThanOrEqualTo(0.35);
        assertThat(QuantizedModels.count(out, "MatMulNBits")).isEqualTo(9);
    }

    @Test
    void bytelmInt8WeightPerplexityAndSize() throws Exception {
        Path in = ModelEval.copy("bytelm_small.onnx", dir);
        Path out = dir.resolve("lm_int8w.onnx");
        QuantizationReport report = Quantizer.quantize(in, out, QuantizationOptions.defaults(Method.INT8_WEIGHT), null);

        double perplexity = ModelEval.bytelmEvalPerplexity(out);
        System.out.printf("bytelm_small int8-weight block 32 symmetric: perplexity %.4f, size %.3f%n", perplexity,
                report.sizeRatio());
        assertThat(perplexity).isLessThanOrEqualTo(6.18);
        assertThat(report.sizeRatio()).isLessThanOrEqualTo(0.35);
    }
}
