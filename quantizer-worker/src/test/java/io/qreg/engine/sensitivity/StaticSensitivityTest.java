package io.qreg.engine.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.eval.CalibratedModel;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** int8-static recalibrates inside each measured variant, on the bounded samples. */
class StaticSensitivityTest {

    @TempDir
    Path dir;

    @Test
    void int8StaticMeasuresOnlyWhenAskedAndThenEveryQuantizedConvAndGemmGetsAnSqnr() throws Exception {
        CalibratedModel.Copy cnn = CalibratedModel.DIGITS_CNN.copyTo(dir);
        QuantizationOptions options = Fixtures.options(Method.INT8_STATIC, true, cnn.calibration(), null);
        assertThat(SensitivityRequest.implied(options).measure()).isFalse();

        long start = System.nanoTime();
        QuantizationReport report = Quantizer.quantize(cnn.model(), dir.resolve("q.onnx"), options, null,
                SensitivityRequest.measure(32));
        System.out.printf("digits_cnn int8-static sensitivity on 32 samples: %d ms%n",
                (System.nanoTime() - start) / 1_000_000);

        report.layers().forEach(l -> System.out.printf("  %-24s %-8s %-10s %s%n", l.node(), l.opType(), l.status(),
                l.sensitivitySqnrDb()));
        assertThat(report.layers()).filteredOn(l -> l.opType().equals("Conv") || l.opType().equals("Gemm"))
                .isNotEmpty()
                .allSatisfy(l -> {
                    assertThat(l.status()).isEqualTo(LayerReport.Status.QUANTIZED);
                    assertThat(l.sensitivitySqnrDb()).isNotNull().isGreaterThan(10.0);
                });
    }

    @Test
    void int8StaticBudgetIsMeasuredOnTheSavedModelCalibratedOnTheWholeSet() throws Exception {
        CalibratedModel.Copy cnn = CalibratedModel.DIGITS_CNN.copyTo(dir);

        QuantizationReport report = Quantizer.quantize(cnn.model(), dir.resolve("q.onnx"),
                Fixtures.options(Method.INT8_STATIC, true, cnn.calibration(), 0.005), null,
                SensitivityRequest.measure(32));

        report.notes().forEach(n -> System.out.println("  note: " + n));
        BudgetOutcome outcome = report.accuracyBudget();
        // All quantized, digits_cnn is at ~0.007 relative error on these samples: 0.005 needs a fallback.
        assertThat(outcome.initialRelativeError()).isGreaterThan(0.005);
        assertThat(outcome.keptFloat()).isNotEmpty();
        assertThat(outcome.finalRelativeError()).isFinite().isLessThan(outcome.initialRelativeError());
        assertThat(report.notes()).anyMatch(n -> n.startsWith("accuracy budget 0.005")
                && n.contains(outcome.reached() ? "within the budget" : "NOT within the budget"));
        assertThat(report.layers()).filteredOn(l -> outcome.keptFloat().contains(l.node()))
                .hasSize(outcome.keptFloat().size()).allMatch(l -> l.status() == LayerReport.Status.KEPT_FLOAT);
    }
}
