package io.qreg.engine.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.eval.CalibratedModel;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** int4-weight block 32 on the byte-level transformer, measured on 8 calibration sequences to stay quick. */
class ByteLmSensitivityTest {

    private static final SensitivityRequest FEW_SAMPLES = SensitivityRequest.measure(8);

    @TempDir
    Path dir;

    private QuantizationReport quantize(Double budget) throws Exception {
        CalibratedModel.Copy bytelm = CalibratedModel.BYTELM_SMALL.copyTo(dir);
        QuantizationOptions options = Fixtures.options(Method.INT4_WEIGHT, false, bytelm.calibration(), budget);
        long start = System.nanoTime();
        QuantizationReport report = Quantizer.quantize(bytelm.model(), dir.resolve("q.onnx"), options, null, FEW_SAMPLES);
        System.out.printf("bytelm int4-weight budget %s: %d ms%n", budget, (System.nanoTime() - start) / 1_000_000);
        report.layers().forEach(l -> System.out.printf("  %-28s %-7s %-10s %s%n", l.node(), l.opType(), l.status(),
                l.sensitivitySqnrDb()));
        report.notes().forEach(n -> System.out.println("  note: " + n));
        return report;
    }

    @Test
    void layersDifferInSensitivity() throws Exception {
        QuantizationReport report = quantize(null);

        List<Double> sqnr = report.layers().stream().filter(l -> l.status() == LayerReport.Status.QUANTIZED)
                .map(LayerReport::sensitivitySqnrDb).toList();
        assertThat(sqnr).hasSizeGreaterThanOrEqualTo(9).doesNotContainNull().allMatch(Double::isFinite);
        double spread = sqnr.stream().mapToDouble(Double::doubleValue).max().orElseThrow()
                - sqnr.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertThat(spread).as("max - min SQNR in dB").isGreaterThan(3.0);
    }

    @Test
    void tightBudgetKeepsTheLeastSqnrLayersInFloatAndReachesIt() throws Exception {
        double budget = 0.02;
        QuantizationReport report = quantize(budget);

        BudgetOutcome outcome = report.accuracyBudget();
        assertThat(outcome.initialRelativeError()).isGreaterThan(budget);
        assertThat(outcome.keptFloat()).isNotEmpty();
        assertThat(outcome.reached()).isTrue();
        assertThat(outcome.finalRelativeError()).isLessThanOrEqualTo(budget);
        List<String> leastSqnrFirst = report.layers().stream().filter(l -> l.sensitivitySqnrDb() != null)
                .sorted(Comparator.comparingDouble(LayerReport::sensitivitySqnrDb)).map(LayerReport::node).toList();
        assertThat(outcome.keptFloat()).containsExactlyElementsOf(leastSqnrFirst.subList(0, outcome.keptFloat().size()));
        assertThat(report.layers()).filteredOn(l -> outcome.keptFloat().contains(l.node()))
                .allMatch(l -> l.status() == LayerReport.Status.KEPT_FLOAT && l.detail().startsWith("accuracy budget: "));
        assertThat(report.toMap()).containsEntry("accuracyBudget", budget)
                .containsEntry("finalRelativeError", outcome.finalRelativeError())
                .containsEntry("keptFloatForBudget", outcome.keptFloat())
                .containsEntry("accuracyBudgetReached", true);
    }

    @Test
    void generousBudgetKeepsEveryLayerQuantized() throws Exception {
        QuantizationReport report = quantize(0.5);

        assertThat(report.accuracyBudget().keptFloat()).isEmpty();
        assertThat(report.accuracyBudget().reached()).isTrue();
        assertThat(report.count(LayerReport.Status.KEPT_FLOAT)).isZero();
        assertThat(report.toMap()).containsEntry("keptFloatForBudget", List.of());
    }
}
