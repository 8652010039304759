package io.qreg.engine.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.eval.CalibratedModel;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensitivityTest {

    @TempDir
    Path dir;

    @Test
    void everyQuantizedGemmOfTheDigitsMlpGetsAPlausibleSqnrUnderInt8Dynamic() throws Exception {
        CalibratedModel.Copy mlp = CalibratedModel.DIGITS_MLP.copyTo(dir);
        List<String> stages = new ArrayList<>();

        QuantizationReport report = Quantizer.quantize(mlp.model(), dir.resolve("q.onnx"),
                Fixtures.options(Method.INT8_DYNAMIC, true, mlp.calibration(), null),
                (stage, done, total) -> stages.add(stage));

        List<LayerReport> gemms = report.layers().stream().filter(l -> l.opType().equals("Gemm")).toList();
        gemms.forEach(l -> System.out.printf("digits_mlp int8-dynamic %s: SQNR %.2f dB%n", l.node(), l.sensitivitySqnrDb()));
        assertThat(gemms).hasSize(3).allSatisfy(l -> {
            assertThat(l.status()).isEqualTo(LayerReport.Status.QUANTIZED);
            assertThat(l.sensitivitySqnrDb()).isNotNull().isBetween(10.0, OutputError.IDENTICAL_SQNR_DB - 1);
        });
        assertThat(stages).contains(SensitivityAnalysis.STAGE);
        assertThat(report.notes()).anyMatch(n -> n.startsWith("sensitivity: SQNR") && n.contains("first 64"));
    }

    @Test
    void withoutCalibrationSamplesLayersCarryNoSensitivityAndANoteSaysWhy() throws Exception {
        Path in = Fixtures.copy("digits_mlp.onnx", dir);

        QuantizationReport report = Quantizer.quantize(in, dir.resolve("q.onnx"),
                Fixtures.options(Method.INT8_DYNAMIC, true, Map.of(), null), null, SensitivityRequest.measure(64));

        assertThat(report.layers()).isNotEmpty().allMatch(l -> l.sensitivitySqnrDb() == null);
        assertThat(report.notes()).anyMatch(n -> n.startsWith("sensitivity not measured") && n.contains("--calibration"));
    }

    @Test
    void anAccuracyBudgetWithoutCalibrationSamplesIsRejected() throws Exception {
        Path in = Fixtures.copy("digits_mlp.onnx", dir);
        Path out = dir.resolve("q.onnx");

        assertThatThrownBy(() -> Quantizer.quantize(in, out,
                Fixtures.options(Method.INT4_WEIGHT, true, Map.of(), 0.01), null))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("--calibration");
        assertThat(out).doesNotExist();
    }

    @Test
    void withoutARequestOrBudgetNothingIsMeasured() throws Exception {
        Path in = Fixtures.copy("digits_mlp.onnx", dir);

        QuantizationReport report = Quantizer.quantize(in, dir.resolve("q.onnx"),
                Fixtures.options(Method.INT4_WEIGHT, true, Map.of(), null), null);

        assertThat(report.layers()).allMatch(l -> l.sensitivitySqnrDb() == null);
        assertThat(report.notes()).noneMatch(n -> n.contains("sensitivity"));
        assertThat(report.toMap()).doesNotContainKeys("accuracyBudget", "finalRelativeError");
    }
}
