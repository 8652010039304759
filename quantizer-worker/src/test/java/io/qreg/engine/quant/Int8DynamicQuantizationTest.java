package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Int8DynamicQuantizationTest {

    @TempDir
    Path dir;

    @Test
    void digitsMlpKeepsAccuracyWithinHalfAPointAtUnderAThirdOfTheSize() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("mlp_int8.onnx");
        QuantizationReport report = Quantizer.quantize(in, out, QuantizationOptions.defaults(Method.INT8_DYNAMIC), null);

        double accuracy = ModelEval.digitsEvalAccuracy(out);
        System.out.printf("digits_mlp int8-dynamic: accuracy %.4f, %d -> %d bytes (%.3f)%n", accuracy,
                report.bytesBefore(), report.bytesAfter(), report.sizeRatio());
        assertThat(accuracy).isGreaterThanOrEqualTo(0.978 - 0.005);
        assertThat(report.sizeRatio()).isLessThanOrEqualTo(0.35);
        assertThat(QuantizedModels.count(out, "DynamicQuantizeMatMul")).isEqualTo(3);
        assertThat(QuantizedModels.count(out, "Gemm")).isZero();
        assertThat(QuantizedModels.layer(report, "/f1/Gemm").detail())
                .isEqualTo("int8 per-tensor symmetric, DynamicQuantizeMatMul with fused bias (from Gemm)");
        assertThat(report.count(LayerReport.Status.QUANTIZED)).isEqualTo(3);
    }

    @Test
    void perChannelAsymmetricWeightsKeepDigitsMlpAccuracy() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("mlp_int8_pc.onnx");
        QuantizationReport report = Quantizer.quantize(in, out,
                QuantizedModels.options(Method.INT8_DYNAMIC, true, false, 32), null);

        double accuracy = ModelEval.digitsEvalAccuracy(out);
        System.out.printf("digits_mlp int8-dynamic per-channel asymmetric: accuracy %.4f%n", accuracy);
        assertThat(accuracy).isGreaterThanOrEqualTo(0.978 - 0.005);
        assertThat(QuantizedModels.layer(report, "/f2/Gemm").detail()).startsWith("int8 per-channel asymmetric");
    }

    @Test
    void bytelmPerplexityOnTheFullEvalSplitStaysWithinTarget() throws Exception {
        Path in = ModelEval.copy("bytelm_small.onnx", dir);
        Path out = dir.resolve("lm_int8.onnx");
        QuantizationReport report = Quantizer.quantize(in, out, QuantizationOptions.defaults(Method.INT8_DYNAMIC), null);

        double perplexity = ModelEval.bytelmEvalPerplexity(out);
        System.out.printf("bytelm_small int8-dynamic: perplexity %.4f, %d -> %d bytes (%.3f)%n", perplexity,
                report.bytesBefore(), report.bytesAfter(), report.sizeRatio());
        assertThat(perplexity).isLessThanOrEqualTo(6.18);
        assertThat(report.sizeRatio()).isLessThanOrEqualTo(0.35);
        assertThat(QuantizedModels.count(out, "DynamicQuantizeMatMul")).isEqualTo(9);
        assertThat(QuantizedModels.layer(report, "/tok/Gather").status()).isEqualTo(LayerReport.Status.QUANTIZED);
    }

    @Test
    void attentionMatMulOfTwoActivationsIsReportedUnsupported() throws Exception {
        Path in = ModelEval.copy("bytelm_small.onnx", dir);
        QuantizationReport report = Quantizer.quantize(in, dir.resolve("lm.onnx"),
                QuantizationOptions.defaults(Method.INT8_DYNAMIC), null);

        LayerReport scores = QuantizedModels.layer(report, "/blocks.0/MatMul");
        assertThat(scores.status()).isEqualTo(LayerReport.Status.UNSUPPORTED);
        assertThat(scores.detail()).contains("both inputs are activations");
    }
}
