package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.quant.QuantizedModels.Quantized;
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
        Quantized q = QuantizedModels.quantize(model, dir, QuantizationOptions.defaults(method));

        double accuracy = ModelEval.accuracy(q.out(), "input", ModelEval.npy(x), ModelEval.npy("digits_eval_y.npy"));
        System.out.printf("%s %s: accuracy %.4f (FP32 %.3f), size %.3f%n", model, method.wireName(), accuracy, fp32,
                q.report().sizeRatio());
        assertThat(accuracy).isGreaterThanOrEqualTo(fp32 - 0.005);
        assertThat(QuantizedModels.count(q.out(), "MatMulNBits")).isEqualTo(gemms);
        assertThat(QuantizedModels.count(q.out(), "Gemm")).isZero();
        assertThat(q.report().count(LayerReport.Status.QUANTIZED)).isEqualTo(gemms);
    }

    @Test
    void blockLargerThanKIsPaddedAndZeroPointsArePacked() throws Exception {
        // digits_mlp has K = 64 and 256: with block 256 and zero points, f1's only block is 3/4 padding
        // and each row has one (odd) 4-bit zero point in its own byte.
        Quantized q = QuantizedModels.quantize("digits_mlp.onnx", dir,
                QuantizedModels.options(Method.INT4_WEIGHT, false, false, 256));

        double accuracy = ModelEval.digitsEvalAccuracy(q.out());
        System.out.printf("digits_mlp int4 block 256 with zero points: accuracy %.4f%n", accuracy);
        assertThat(accuracy).isGreaterThanOrEqualTo(0.978 - 0.02);
        assertThat(QuantizedModels.layer(q.report(), "/f1/Gemm").detail()).isEqualTo(
                "int4 block 256 with zero points, RTN, MatMulNBits + Add bias (from Gemm)");
    }

    @Test
    void bytelmInt4Block32SymmetricPerplexityOnTheFullEvalSplit() throws Exception {
        Quantized q = QuantizedModels.quantize("bytelm_small.onnx", dir,
                QuantizedModels.options(Method.INT4_WEIGHT, false, true, 32));

        double perplexity = ModelEval.bytelmEvalPerplexity(q.out());
        System.out.printf("bytelm_small int4-weight block 32 symmetric: perplexity %.4f, size %.3f%n", perplexity,
                q.report().sizeRatio());
        assertThat(perplexity).isLessThanOrEqualTo(6.30);
        assertThat(q.report().sizeRatio()).isLessThanOrEqualTo(0.35);
        assertThat(QuantizedModels.count(q.out(), "MatMulNBits")).isEqualTo(9);
    }

    @Test
    void bytelmInt8WeightPerplexityAndSize() throws Exception {
        Quantized q = QuantizedModels.quantize("bytelm_small.onnx", dir,
                QuantizationOptions.defaults(Method.INT8_WEIGHT));

        double perplexity = ModelEval.bytelmEvalPerplexity(q.out());
        System.out.printf("bytelm_small int8-weight block 32 symmetric: perplexity %.4f, size %.3f%n", perplexity,
                q.report().sizeRatio());
        assertThat(perplexity).isLessThanOrEqualTo(6.18);
        assertThat(q.report().sizeRatio()).isLessThanOrEqualTo(0.35);
    }
}
