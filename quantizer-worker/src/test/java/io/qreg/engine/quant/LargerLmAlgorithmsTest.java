package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.eval.EvaluationData;
import io.qreg.engine.eval.EvaluationOptions;
import io.qreg.engine.eval.EvaluationTask;
import io.qreg.engine.eval.Evaluator;
import io.qreg.engine.eval.Fixtures;
import io.qreg.engine.eval.MetricKeys;
import io.qreg.engine.quant.weightonly.Algorithm;
import io.qreg.engine.sensitivity.SensitivityRequest;
import io.qreg.engine.trainedlm.TrainedByteMlpLm;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's targets held on a second language model, so the figures are not tuned to {@code bytelm_small}: the
 * generated and trained byte-level MLP LM ({@link TrainedByteMlpLm}, 1.8M parameters). The issue states its targets
 * as perplexities on {@code bytelm_small} (FP32 6.123, RTN 6.233); here each is translated into the share of
 * round-to-nearest's perplexity gap to FP32 that it closes, and everything is measured in this one run, in ONNX
 * Runtime with the engine's {@link Evaluator} on the full eval split.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargerLmAlgorithmsTest {

    /** GPTQ: ≤ 6.175 against RTN 6.233 and FP32 6.123 is (6.233 − 6.175) / 0.110 ≈ half of RTN's gap closed. */
    private static final double GPTQ_GAP_CLOSED = 0.50;
    /** HQQ without data: ≤ 6.205 is (6.233 − 6.205) / 0.110 ≈ a quarter of RTN's gap closed. */
    private static final double HQQ_GAP_CLOSED = 0.25;
    /** Mixed precision at ≤ 5.5 bits/weight: ≤ 6.15 is (6.233 − 6.15) / 0.110 ≈ three quarters of RTN's gap closed. */
    private static final double MIXED_GAP_CLOSED = 0.75;
    private static final int BLOCK = 32;

    private Path dir;
    private Path model;
    private Path calibration;
    private double fp32;
    private double rtn;
    private final Map<String, String> figures = new LinkedHashMap<>();

    @BeforeAll
    void measureFp32AndRoundToNearest(@TempDir Path directory) throws Exception {
        dir = directory;
        model = TrainedByteMlpLm.standard();
        calibration = Fixtures.path(TrainedByteMlpLm.TRAIN_IDS);
        fp32 = perplexity("FP32", model);
        rtn = perplexity("int4 block 32 symmetric RTN", quantize("rtn", int4(Algorithm.RTN, true)));
        assertThat(rtn).as("RTN leaves a gap to FP32 to close").isGreaterThan(fp32);
    }

    @AfterAll
    void printFigures() {
        System.out.println("byte MLP LM (" + model.getFileName() + "), full eval split:");
        figures.forEach((name, figure) -> System.out.printf("  %-52s %s%n", name, figure));
    }

    @Test
    void gptqBlock32SymmetricClosesAtLeastHalfOfRoundToNearestsGapToFp32() throws Exception {
        Path out = quantize("gptq", int4(Algorithm.GPTQ, true).withCalibrationInputs(Map.of("input_ids", calibration)));
        double gptq = perplexity("int4 block 32 symmetric GPTQ", out);

        assertThat(gapClosed(gptq)).isGreaterThanOrEqualTo(GPTQ_GAP_CLOSED);
    }

    @Test
    void hqqWithoutDataClosesAtLeastAQuarterOfRoundToNearestsGap() throws Exception {
        double hqq = perplexity("int4 block 32 HQQ (float zero points, no data)",
                quantize("hqq", int4(Algorithm.HQQ, false)));
        // Beside it, for the record: round-to-nearest with zero points, the grid HQQ starts from.
        perplexity("int4 block 32 RTN with zero points", quantize("rtn_asymmetric", int4(Algorithm.RTN, false)));

        assertThat(gapClosed(hqq)).isGreaterThanOrEqualTo(HQQ_GAP_CLOSED);
    }

    @Test
    void awqBlock32SymmetricIsNoWorseThanRoundToNearest() throws Exception {
        Path out = quantize("awq", int4(Algorithm.AWQ, true).withCalibrationInputs(Map.of("input_ids", calibration)));
        double awq = perplexity("int4 block 32 symmetric AWQ", out);

        assertThat(awq).isLessThanOrEqualTo(rtn);
    }

    @Test
    void int8StaticWithSmoothQuantAutoIsNoWorseThanInt8StaticAlone() throws Exception {
        QuantizationOptions staticOptions = QuantizationOptions.defaults(Method.INT8_STATIC)
                .withCalibrationInputs(Map.of("input_ids", calibration));
        double alone = perplexity("int8-static", quantize("static", staticOptions));
        double smoothed = perplexity("int8-static, SmoothQuant auto", quantize("smoothquant",
                staticOptions.withSmoothQuantAlpha(QuantizationOptions.SMOOTH_QUANT_AUTO)));

        assertThat(smoothed).isLessThanOrEqualTo(alone);
    }

    @Test
    void mixedPrecisionWithinFiveAndAHalfBitsPerWeightBeatsInt4EverywhereAsTheIssueAsks() throws Exception {
        QuantizationOptions options = int4(Algorithm.RTN, true).withCalibrationInputs(Map.of("input_ids", calibration))
                .withTargetBitsPerWeight(5.5);
        Path out = dir.resolve("mixed.onnx");
        long started = System.nanoTime();
        double cpu = cpuSeconds();
        QuantizationReport report = Quantizer.quantize(model, out, options, ProgressListener.NONE,
                SensitivityRequest.measure(8));
        figures.put("quantize mixed", String.format("%.1f s (%.1f CPU s)", (System.nanoTime() - started) / 1e9,
                cpuSeconds() - cpu));
        double bits = report.precisionMix().bitsPerWeight();
        double mixed = perplexity(String.format("mixed, %.3f bits/weight (int4 %d, int8 %d, float %d layers)", bits,
                report.precisionMix().layers().get(WeightPrecision.INT4),
                report.precisionMix().layers().get(WeightPrecision.INT8),
                report.precisionMix().layers().get(WeightPrecision.FP32)), out);

        assertThat(bits).isLessThanOrEqualTo(5.5);
        assertThat(mixed).isLessThan(rtn);
        assertThat(gapClosed(mixed)).isGreaterThanOrEqualTo(MIXED_GAP_CLOSED);
    }

    private static QuantizationOptions int4(Algorithm algorithm, boolean symmetric) {
        return QuantizedModels.options(Method.INT4_WEIGHT, false, symmetric, BLOCK)
                .withAlgorithm(algorithm, QuantizationOptions.DEFAULT_GPTQ_DAMP, false);
    }

    /** The share of RTN's perplexity gap to FP32 that a perplexity closes (1 = FP32's, 0 = RTN's). */
    private double gapClosed(double perplexity) {
        return (rtn - perplexity) / (rtn - fp32);
    }

    private Path quantize(String name, QuantizationOptions options) throws QuantizationException {
        Path out = dir.resolve(name + ".onnx");
        long started = System.nanoTime();
        double cpu = cpuSeconds();
        Quantizer.quantize(model, out, options, ProgressListener.NONE, SensitivityRequest.NONE);
        figures.put("quantize " + name, String.format("%.1f s (%.1f CPU s)", (System.nanoTime() - started) / 1e9,
                cpuSeconds() - cpu));
        return out;
    }

    private double perplexity(String name, Path quantized) throws Exception {
        long started = System.nanoTime();
        double cpu = cpuSeconds();
        EvaluationData data = EvaluationData.open(Map.of("input_ids", Fixtures.path(TrainedByteMlpLm.EVAL_IDS)),
                Fixtures.path(TrainedByteMlpLm.EVAL_LABELS), null);
        double perplexity = Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, quantized, null, data,
                new EvaluationOptions(50, 0), ProgressListener.NONE).metric(MetricKeys.PERPLEXITY);
        figures.put(name, rtn > fp32
                ? String.format("perplexity %.4f (%+.1f%% of int4 RTN's gap to FP32 closed)", perplexity,
                        100 * gapClosed(perplexity))
                : String.format("perplexity %.4f", perplexity));
        figures.put("evaluate " + name, String.format("%.1f s (%.1f CPU s)", (System.nanoTime() - started) / 1e9,
                cpuSeconds() - cpu));
        return perplexity;
    }

    /** Process CPU time: on a machine shared with other builds it says what a step costs better than wall time. */
    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }
}
