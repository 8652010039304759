package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** {@link Quantizer#MIN_OPSET} is 10: every method writes a model that runs (and is verified) at opset 10. */
class OldOpsetMethodsTest {

    @TempDir
    Path dir;

    static Path atOpset(String fixture, long version, Path dir) throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(ModelEval.copy(fixture, dir)));
        ModelProto.Builder old = model.toBuilder().clearOpsetImport();
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            old.addOpsetImport(opset.getDomain().isEmpty() ? opset.toBuilder().setVersion(version).build() : opset);
        }
        Path out = dir.resolve("opset" + version + "-" + fixture);
        OnnxModel.of(old.build()).save(out);
        return out;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "int8-dynamic, digits_mlp.onnx", "int8-static, digits_mlp.onnx", "int4-weight, digits_mlp.onnx",
        "int8-weight, digits_mlp.onnx", "fp16, digits_mlp.onnx", "int8-dynamic, digits_cnn.onnx",
        "int8-static, digits_cnn.onnx", "fp16, digits_cnn.onnx"})
    void everyMethodWritesARunningModelAtOpset10(String method, String fixture) throws Exception {
        Path in = atOpset(fixture, 10, dir);
        Method m = Method.parse(method);
        QuantizationOptions d = QuantizationOptions.defaults(m);
        Map<String, Path> calibration = m == Method.INT8_STATIC ? Map.of("input", ModelEval.copy(
                fixture.contains("cnn") ? "digits_calib_x_img.npy" : "digits_calib_x.npy", dir)) : Map.of();
        QuantizationOptions options = new QuantizationOptions(m, false, d.symmetric(), d.blockSize(),
                d.calibrationMethod(), d.percentile(), Set.of(), Set.of(), calibration, null, null, true);

        QuantizationReport report = Quantizer.quantize(in, dir.resolve("out.onnx"), options, null);

        assertThat(report.precisionMix().quantizedLayers()).isPositive();
        assertThat(report.verification().top1Agreement()).isGreaterThan(0.9);
    }
}
