package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.npy.NpyArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** qat on a generated QAT export of digits_mlp and on the engine's own int8-static QDQ output, run in ONNX Runtime. */
class QatImportTest {

    @TempDir
    static Path dir;

    static Path qat;
    static Path imported;
    static QuantizationReport report;

    @BeforeAll
    static void importTheQatExport() throws Exception {
        qat = QatExports.digitsMlpQat(dir);
        imported = dir.resolve("digits_mlp_qat_imported.onnx");
        report = Quantizer.quantize(qat, imported, QuantizationOptions.defaults(Method.QAT), null);
    }

    @Test
    void importKeepsTheQatModelsAccuracyAtUnderFortyPercentOfItsSize() throws Exception {
        NpyArray x = ModelEval.npy("digits_eval_x.npy");
        NpyArray y = ModelEval.npy("digits_eval_y.npy");
        double qatAccuracy = ModelEval.accuracy(qat, "input", x, y);
        double importAccuracy = ModelEval.accuracy(imported, "input", x, y);
        double sizeRatio = (double) Files.size(imported) / Files.size(qat);
        System.out.printf("digits_mlp QAT export: accuracy %.4f; qat import: accuracy %.4f, size %.3f of the export%n",
                qatAccuracy, importAccuracy, sizeRatio);

        assertThat(qatAccuracy).isGreaterThan(0.9);
        assertThat(importAccuracy).isBetween(qatAccuracy - 0.005, qatAccuracy + 0.005);
        assertThat(sizeRatio).isLessThanOrEqualTo(0.40);
        assertThat(report.sizeRatio()).isLessThanOrEqualTo(0.40);
    }

    @Test
    void importComputesWhatTheQatModelComputes() throws Exception {
        NpyArray x = ModelEval.npy("digits_eval_x.npy");
        float[] expected = ModelEval.runAll(qat, "input", x);
        float[] actual = ModelEval.runAll(imported, "input", x);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("qat import vs QAT export: max |diff| %.6f over logits up to %.3f%n", maxDiff, maxAbs);
        // The same grid and codes; only where ONNX Runtime accumulates (integer kernels, MatMulNBits) may differ.
        assertThat(maxDiff).isLessThanOrEqualTo(0.02 * maxAbs);
    }

    @Test
    void weightsAreStoredAsCodesAndActivationPairsStayAsTrained() throws Exception {
        List<String> before = QatExports.opTypes(qat);
        List<String> after = QatExports.opTypes(imported);
        // 3 activation pairs + 3 weight pairs before; the 2 int8 weight QuantizeLinear folded, the int4 pair gone.
        assertThat(before.stream().filter("QuantizeLinear"::equals).count()).isEqualTo(6);
        assertThat(after.stream().filter("QuantizeLinear"::equals).count()).isEqualTo(3);
        assertThat(after.stream().filter("DequantizeLinear"::equals).count()).isEqualTo(5);
        assertThat(after.stream().filter("MatMulNBits"::equals).count()).isEqualTo(1);
        OnnxModel model = OnnxModel.load(imported);
        assertThat(model.graph().initializers().stream().filter(t -> t.getDataType() == 1 && t.getDimsCount() == 2))
                .as("no 2-D float weight is left").isEmpty();

        assertThat(report.precisionMix().layers().get(WeightPrecision.INT8)).isEqualTo(2);
        assertThat(report.precisionMix().layers().get(WeightPrecision.INT4)).isEqualTo(1);
        assertThat(report.precisionMix().layers().get(WeightPrecision.FP32)).isZero();
        assertThat(report.count(LayerReport.Status.QUANTIZED)).isEqualTo(3);
        assertThat(report.layers()).extracting(LayerReport::detail).anySatisfy(d -> assertThat(d)
                .contains("int8 per-channel (axis 0), QuantizeLinear folded"));
        assertThat(report.layers()).extracting(LayerReport::detail).anySatisfy(d -> assertThat(d)
                .contains("int8 per-tensor, QuantizeLinear folded"));
        assertThat(report.layers()).extracting(LayerReport::detail).anySatisfy(d -> assertThat(d)
                .contains("int4 per-channel (axis 1) trained grid as MatMulNBits"));
        assertThat(report.notes()).contains("3 activation QuantizeLinear/DequantizeLinear pairs kept exactly as trained");
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = "QAT", mode = EnumSource.Mode.EXCLUDE)
    void everyOtherMethodRefusesTheQatExportAndWritesNothing(Method method) throws Exception {
        Path out = dir.resolve("refused-" + method.wireName() + ".onnx");
        QuantizationOptions options = withCalibration(method);

        assertThatThrownBy(() -> Quantizer.quantize(qat, out, options, null))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("already quantized; use method qat");
        assertThat(out).doesNotExist();
    }

    @Test
    void everyOtherMethodRefusesTheImportedModelToo() throws Exception {
        for (Method method : Method.values()) {
            if (method != Method.QAT) {
                assertThatThrownBy(() -> Quantizer.quantize(imported, dir.resolve("again.onnx"), withCalibration(method),
                        null)).hasMessageContaining("already quantized; use method qat");
            }
        }
    }

    @Test
    void ortStyleQdqModelIsAcceptedAndReportedAsAlreadyDeployable() throws Exception {
        Path mlp = dir.resolve("digits_mlp.onnx");
        Path qdq = dir.resolve("digits_mlp_int8_static.onnx");
        Quantizer.quantize(mlp, qdq, withCalibration(Method.INT8_STATIC), null);
        Path out = dir.resolve("digits_mlp_qdq_qat.onnx");

        QuantizationReport deployable = Quantizer.quantize(qdq, out, QuantizationOptions.defaults(Method.QAT), null);

        assertThat(deployable.notes()).anySatisfy(n -> assertThat(n).startsWith("already in deployable QDQ form"));
        assertThat(deployable.count(LayerReport.Status.QUANTIZED)).isEqualTo(3);
        assertThat(deployable.precisionMix().layers().get(WeightPrecision.INT8)).isEqualTo(3);
        assertThat(deployable.optionsSummary()).as("qat honours no post-training option").isEmpty();
        assertThat(deployable.verification().summary()).as("written unchanged, so it computes the same")
                .endsWith("outputs identical, top-1 agreement 100.0%");
        NpyArray x = ModelEval.npy("digits_eval_x.npy");
        NpyArray y = ModelEval.npy("digits_eval_y.npy");
        assertThat(ModelEval.accuracy(out, "input", x, y)).isEqualTo(ModelEval.accuracy(qdq, "input", x, y));
    }

    @Test
    void qatRefusesAFloatModelWithNothingToImport() {
        assertThatThrownBy(() -> Quantizer.quantize(dir.resolve("digits_mlp.onnx"), dir.resolve("float-qat.onnx"),
                QuantizationOptions.defaults(Method.QAT), null))
                .isInstanceOf(QuantizationException.class)
                .hasMessageContaining("no QuantizeLinear/DequantizeLinear to import; use a post-training method");
        assertThat(dir.resolve("float-qat.onnx")).doesNotExist();
    }

    private static QuantizationOptions withCalibration(Method method) {
        QuantizationOptions d = QuantizationOptions.defaults(method);
        return new QuantizationOptions(method, false, d.symmetric(), d.blockSize(), d.calibrationMethod(),
                d.percentile(), Set.of(), Set.of(), Map.of("input", dir.resolve("digits_calib_x.npy")), null, null,
                true);
    }
}
