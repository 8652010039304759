package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qreg.engine.quant.QuantizedModels.Quantized;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Fp16QuantizationTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"digits_mlp.onnx, digits_eval_x.npy, 0.978", "digits_cnn.onnx, digits_eval_x_img.npy, 0.986"})
    void digitsAccuracyHoldsInFloat16(String model, String x, double fp32) throws Exception {
        Quantized q = QuantizedModels.quantize(model, dir, QuantizationOptions.defaults(Method.FP16));

        double accuracy = ModelEval.accuracy(q.out(), "input", ModelEval.npy(x), ModelEval.npy("digits_eval_y.npy"));
        System.out.printf("%s fp16: accuracy %.4f, size %.3f%n", model, accuracy, q.report().sizeRatio());
        assertThat(accuracy).isGreaterThanOrEqualTo(fp32 - 0.005);
        assertThat(q.report().sizeRatio()).isBetween(0.45, 0.55);
    }

    @Test
    void bytelmKeepsPerplexityWithFloat32BoundaryAndGuardedMask() throws Exception {
        Quantized q = QuantizedModels.quantize("bytelm_small.onnx", dir, QuantizationOptions.defaults(Method.FP16));

        double perplexity = ModelEval.bytelmEvalPerplexity(q.out());
        System.out.printf("bytelm_small fp16: perplexity %.4f, size %.3f%n", perplexity, q.report().sizeRatio());
        assertThat(perplexity).isNotNaN().isLessThanOrEqualTo(6.13);
        assertThat(q.report().sizeRatio()).isBetween(0.45, 0.56);

        assertThat(QuantizedModels.layer(q.report(), "/blocks.0/qkv/MatMul").detail()).isEqualTo("float16");
        assertThat(QuantizedModels.layer(q.report(), "/blocks.0/Softmax").status())
                .isEqualTo(LayerReport.Status.KEPT_FLOAT);
        assertThat(QuantizedModels.layer(q.report(), "/blocks.0/ln1/LayerNormalization").status())
                .isEqualTo(LayerReport.Status.KEPT_FLOAT);
        LayerReport maskAdd = QuantizedModels.layer(q.report(), "/blocks.0/Add");
        assertThat(maskAdd.status()).isEqualTo(LayerReport.Status.KEPT_FLOAT);
        assertThat(maskAdd.detail()).contains("causal").contains("65504");

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(q.out().toString(), new OrtSession.SessionOptions())) {
            assertThat(((TensorInfo) session.getInputInfo().get("input_ids").getInfo()).type).isEqualTo(OnnxJavaType.INT64);
            assertThat(((TensorInfo) session.getOutputInfo().get("logits").getInfo()).type).isEqualTo(OnnxJavaType.FLOAT);
        }
    }
}
