package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.quant.QuantizedModels.Quantized;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Int8DynamicQuantizationTest {

    @TempDir
    Path dir;

    @Test
    void digitsMlpKeepsAccuracyWithinHalfAPointAtUnderAThirdOfTheSize() throws Exception {
        Quantized q = QuantizedModels.quantize("digits_mlp.onnx", dir,
                QuantizationOptions.defaults(Method.INT8_DYNAMIC));

        double accuracy = ModelEval.digitsEvalAccuracy(q.out());
        System.out.printf("digits_mlp int8-dynamic: accuracy %.4f, %d -> %d bytes (%.3f)%n", accuracy,
                q.report().bytesBefore(), q.report().bytesAfter(), q.report().sizeRatio());
        assertThat(accuracy).isGreaterThanOrEqualTo(0.978 - 0.005);
        assertThat(q.report().sizeRatio()).isLessThanOrEqualTo(0.35);
        assertThat(QuantizedModels.count(q.out(), "DynamicQuantizeMatMul")).isEqualTo(3);
        assertThat(QuantizedModels.count(q.out(), "Gemm")).isZero();
        assertThat(QuantizedModels.layer(q.report(), "/f1/Gemm").detail())
                .isEqualTo("int8 per-tensor symmetric, DynamicQuantizeMatMul with fused bias (from Gemm)");
        assertThat(q.report().count(LayerReport.Status.QUANTIZED)).isEqualTo(3);
    }

    @Test
    void perChannelAsymmetricWeightsKeepDigitsMlpAccuracy() throws Exception {
        Quantized q = QuantizedModels.quantize("digits_mlp.onnx", dir,
                QuantizedModels.options(Method.INT8_DYNAMIC, true, false, 32));

        double accuracy = ModelEval.digitsEvalAccuracy(q.out());
        System.out.printf("digits_mlp int8-dynamic per-channel asymmetric: accuracy %.4f%n", accuracy);
        assertThat(accuracy).isGreaterThanOrEqualTo(0.978 - 0.005);
        assertThat(QuantizedModels.layer(q.report(), "/f2/Gemm").detail()).startsWith("int8 per-channel asymmetric");
    }

    @Test
    void bytelmPerplexityOnTheFullEvalSplitStaysWithinTarget() throws Exception {
        Quantized q = QuantizedModels.quantize("bytelm_small.onnx", dir,
                QuantizationOptions.defaults(Method.INT8_DYNAMIC));

        double perplexity = ModelEval.bytelmEvalPerplexity(q.out());
        System.out.printf("bytelm_small int8-dynamic: perplexity %.4f, %d -> %d bytes (%.3f)%n", perplexity,
                q.report().bytesBefore(), q.report().bytesAfter(), q.report().sizeRatio());
        assertThat(perplexity).isLessThanOrEqualTo(6.18);
        assertThat(q.report().sizeRatio()).isLessThanOrEqualTo(0.35);
        assertThat(QuantizedModels.count(q.out(), "DynamicQuantizeMatMul")).isEqualTo(9);
        assertThat(QuantizedModels.layer(q.report(), "/tok/Gather").status()).isEqualTo(LayerReport.Status.QUANTIZED);
    }

    @Test
    void attentionMatMulOfTwoActivationsIsReportedUnsupported() throws Exception {
        Quantized q = QuantizedModels.quantize("bytelm_small.onnx", dir,
                QuantizationOptions.defaults(Method.INT8_DYNAMIC));

        LayerReport scores = QuantizedModels.layer(q.report(), "/blocks.0/MatMul");
        assertThat(scores.status()).isEqualTo(LayerReport.Status.UNSUPPORTED);
        assertThat(scores.detail()).contains("both inputs are activations");
    }
}
