package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class QuantizerTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"INT8_DYNAMIC", "INT4_WEIGHT", "INT8_WEIGHT", "FP16"})
    void excludedNodeStaysFloatAndIsReportedExcluded(Method method) throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("out.onnx");
        QuantizationOptions options = QuantizationOptions.defaults(method).withExcludeNodes(Set.of("/f2/Gemm"));

        QuantizationReport report = Quantizer.quantize(in, out, options, null);

        assertThat(QuantizedModels.layer(report, "/f2/Gemm").status()).isEqualTo(LayerReport.Status.EXCLUDED);
        assertThat(QuantizedModels.layer(report, "/f1/Gemm").status()).isEqualTo(LayerReport.Status.QUANTIZED);
        ModelGraph graph = OnnxModel.load(out).graph();
        NodeProto kept = graph.node("/f2/Gemm").orElseThrow();
        assertThat(kept.getInputList()).containsExactly("/Relu_output_0", "f2.weight", "f2.bias");
        assertThat(graph.initializer("f2.weight").orElseThrow().getDataType()).isEqualTo(TensorProto.DataType.FLOAT_VALUE);
    }

    @Test
    void excludedOpTypeIsLeftAlone() throws Exception {
        Path in = ModelEval.copy("bytelm_small.onnx", dir);
        Path out = dir.resolve("out.onnx");
        QuantizationOptions d = QuantizationOptions.defaults(Method.INT8_DYNAMIC);
        QuantizationOptions options = new QuantizationOptions(d.method(), false, true, 32, null, 99.999, Set.of(),
                Set.of("Gather"), null, null, null, true);

        QuantizationReport report = Quantizer.quantize(in, out, options, null);

        assertThat(QuantizedModels.layer(report, "/tok/Gather").status()).isEqualTo(LayerReport.Status.EXCLUDED);
        assertThat(QuantizedModels.count(out, "DequantizeLinear")).isZero();
        assertThat(QuantizedModels.count(out, "DynamicQuantizeMatMul")).isEqualTo(9);
    }

    @Test
    void unknownExcludeNodeIsRejectedByName() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("out.onnx");
        QuantizationOptions options = QuantizationOptions.defaults(Method.INT8_DYNAMIC).withExcludeNodes(Set.of("/f9/Gemm"));

        assertThatThrownBy(() -> Quantizer.quantize(in, out, options, null))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("exclude node '/f9/Gemm' does not exist")
                .hasMessageContaining("/f1/Gemm");
        assertThat(out).doesNotExist();
    }

    @Test
    void nonOnnxInputFailsAndLeavesNoOutput() throws Exception {
        Path in = dir.resolve("notes.onnx");
        Files.writeString(in, "this is not a protobuf model");
        Path out = dir.resolve("out.onnx");

        assertThatThrownBy(() -> Quantizer.quantize(in, out, QuantizationOptions.defaults(Method.FP16), null))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("notes.onnx");
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("out.onnx.data")).doesNotExist();
    }

    @Test
    void outputMayNotOverwriteTheInput() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);

        assertThatThrownBy(() -> Quantizer.quantize(in, in, QuantizationOptions.defaults(Method.FP16), null))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("is the input model");
    }

    @Test
    void reportMapCarriesSizesCountsLayersAndRuntimeVersion() throws Exception {
        Path in = ModelEval.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("out.onnx");

        Map<String, Object> map = Quantizer.quantize(in, out, QuantizationOptions.defaults(Method.INT4_WEIGHT), null).toMap();

        assertThat(map).containsEntry("method", "int4-weight").containsEntry("bytesBefore", Files.size(in))
                .containsEntry("bytesAfter", Files.size(out)).containsEntry("quantized", 3L).containsEntry("kept", 0L)
                .containsKeys("layers", "notes", "elapsedMs", "options");
        assertThat((String) map.get("onnxRuntimeVersion")).startsWith("1.23");
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) map.get("options");
        assertThat(options).containsEntry("blockSize", 32).containsEntry("symmetric", false)
                .doesNotContainKey("perChannel");
    }

    @Test
    void anExcludedOpTypeTheModelLacksIsNamedInTheNotesInsteadOfLookingApplied() throws Exception {
        Path in = ModelEval.copy("digits_cnn.onnx", dir);
        QuantizationOptions d = QuantizationOptions.defaults(Method.INT8_DYNAMIC);
        QuantizationOptions options = new QuantizationOptions(d.method(), d.perChannel(), d.symmetric(), d.blockSize(),
                d.calibrationMethod(), d.percentile(), Set.of(), Set.of("Conv", "LSTM"), Map.of(), null, null, true);

        QuantizationReport report = Quantizer.quantize(in, dir.resolve("out.onnx"), options, null);

        assertThat(report.notes()).contains("excluded op type LSTM matched no node: the model has no LSTM")
                .noneMatch(n -> n.contains("op type Conv"));
    }

    @Test
    void everyMethodHasAPass() throws Exception {
        for (Method m : Method.values()) {
            assertThat(Passes.supports(m)).as(m.wireName()).isTrue();
            assertThat(Passes.forMethod(m)).isNotNull();
        }
    }
}
