package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.eval.EvaluationData;
import io.qreg.engine.eval.EvaluationOptions;
import io.qreg.engine.eval.EvaluationResult;
import io.qreg.engine.eval.EvaluationTask;
import io.qreg.engine.eval.Evaluator;
import io.qreg.engine.eval.Fixtures;
import io.qreg.engine.eval.MetricKeys;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
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
 * round-to-nearest's distance to FP32 that it removes. On this model int4 costs only 0.3% of perplexity, so a quarter
 * of that gap is 0.01, the size of perplexity's rounding noise between equally good quantizations; the distance is
 * therefore measured as the mean KL divergence of the next-token distributions from FP32's, which resolves it, and
 * every method must also keep its perplexity at or below round-to-nearest's. Everything is measured in this one run,
 * in ONNX Runtime with the engine's {@link Evaluator} on the full eval split.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargerLmAlgorithmsTest {

    /*
     * The shares come from the issue's bytelm_small perplexities, applied here to the KL divergence from FP32.
     * GPTQ: ≤ 6.175 against RTN 6.233 and FP32 6.123 is (6.233 − 6.175) / 0.110 ≈ half of RTN's gap closed.
     */
    private static final double GPTQ_GAP_CLOSED = 0.50;
    /** HQQ without data: ≤ 6.205 is (6.233 − 6.205) / 0.110 ≈ a quarter of RTN's gap closed. */
    private static final double HQQ_GAP_CLOSED = 0.25;
    /** Mixed precision at ≤ 5.5 bits/weight: ≤ 6.15 is (6.233 − 6.15) / 0.110 ≈ three quarters of RTN's gap closed. */
    private static final double MIXED_GAP_CLOSED = 0.75;
    /**
     * How far perplexity moves, relatively, between quantizations equally close to FP32 (SmoothQuantByteLmTest: 0.01
     * on bytelm_small's 6.16, int8-static with per-channel and per-tensor weights at the same KL divergence).
     */
    private static final double PERPLEXITY_ROUNDING_NOISE = 0.0016;
    private static final int BLOCK = 32;

    private Path dir;
    private Path model;
    private Path calibration;
    private double fp32;
    private Quality rtn;
    private final Map<String, String> figures = new LinkedHashMap<>();

    @BeforeAll
    void measureFp32AndRoundToNearest(@TempDir Path directory) throws Exception {
        dir = directory;
        model = TrainedByteMlpLm.standard();
        calibration = Fixtures.path(TrainedByteMlpLm.TRAIN_IDS);
        fp32 = evaluate("FP32", model).perplexity();
        rtn = evaluate("int4 block 32 symmetric RTN", quantize("rtn", int4(Algorithm.RTN, true)));
        assertThat(rtn.perplexity()).as("RTN leaves a gap to FP32 to close").isGreaterThan(fp32);
        assertThat(rtn.meanKld()).isPositive();
    }

    @AfterAll
    void printFigures() {
        System.out.println("byte MLP LM (" + model.getFileName() + "), full eval split:");
        figures.forEach((name, figure) -> System.out.printf("  %-52s %s%n", name, figure));
    }

    @Test
    void gptqBlock32SymmetricClosesAtLeastHalfOfRoundToNearestsGapToFp32() throws Exception {
        Path out = quantize("gptq", int4(Algorithm.GPTQ, true).withCalibrationInputs(Map.of("input_ids", calibration)));
        Quality gptq = evaluate("int4 block 32 symmetric GPTQ", out);

        assertThat(gapClosed(gptq)).isGreaterThanOrEqualTo(GPTQ_GAP_CLOSED);
        assertThat(gptq.perplexity()).isLessThanOrEqualTo(rtn.perplexity());
    }

    @Test
    void hqqWithoutDataClosesAtLeastAQuarterOfRoundToNearestsGap() throws Exception {
        Quality hqq = evaluate("int4 block 32 HQQ (float zero points, no data)",
                quantize("hqq", int4(Algorithm.HQQ, false)));
        // Beside it, for the record: round-to-nearest with zero points, the grid HQQ starts from.
        evaluate("int4 block 32 RTN with zero points", quantize("rtn_asymmetric", int4(Algorithm.RTN, false)));

        assertThat(gapClosed(hqq)).isGreaterThanOrEqualTo(HQQ_GAP_CLOSED);
        assertThat(hqq.perplexity()).isLessThanOrEqualTo(rtn.perplexity());
    }

    @Test
    void awqBlock32SymmetricIsNoWorseThanRoundToNearest() throws Exception {
        Path out = quantize("awq", int4(Algorithm.AWQ, true).withCalibrationInputs(Map.of("input_ids", calibration)));
        Quality awq = evaluate("int4 block 32 symmetric AWQ", out);

        assertThat(awq.meanKld()).isLessThanOrEqualTo(rtn.meanKld());
        assertThat(awq.perplexity()).isLessThanOrEqualTo(rtn.perplexity());
    }

    @Test
    void int8StaticWithSmoothQuantAutoIsNoWorseThanInt8StaticAlone() throws Exception {
        QuantizationOptions staticOptions = QuantizationOptions.defaults(Method.INT8_STATIC)
                .withCalibrationInputs(Map.of("input_ids", calibration));
        Quality alone = evaluate("int8-static", quantize("static", staticOptions));
        Quality smoothed = evaluate("int8-static, SmoothQuant auto", quantize("smoothquant",
                staticOptions.withSmoothQuantAlpha(QuantizationOptions.SMOOTH_QUANT_AUTO)));

        assertThat(smoothed.meanKld()).isLessThanOrEqualTo(alone.meanKld());
        assertThat(smoothed.perplexity()).isLessThanOrEqualTo(alone.perplexity() * (1 + PERPLEXITY_ROUNDING_NOISE));
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
        Quality mixed = evaluate(String.format("mixed, %.3f bits/weight (int4 %d, int8 %d, float %d layers)", bits,
                report.precisionMix().layers().get(WeightPrecision.INT4),
                report.precisionMix().layers().get(WeightPrecision.INT8),
                report.precisionMix().layers().get(WeightPrecision.FP32)), out);

        assertThat(bits).isLessThanOrEqualTo(5.5);
        assertThat(mixed.perplexity()).isLessThan(rtn.perplexity());
        assertThat(gapClosed(mixed)).isGreaterThanOrEqualTo(MIXED_GAP_CLOSED);
    }

    private static QuantizationOptions int4(Algorithm algorithm, boolean symmetric) {
        return QuantizedModels.options(Method.INT4_WEIGHT, false, symmetric, BLOCK)
                .withAlgorithm(algorithm, QuantizationOptions.DEFAULT_GPTQ_DAMP, false);
    }

    /** What a quantized model's evaluation gives: its perplexity and its mean KL divergence from FP32. */
    private record Quality(double perplexity, double meanKld) {
    }

    /** The share of RTN's distance to FP32 (mean KL divergence) that a model removes (1 = FP32's, 0 = RTN's). */
    private double gapClosed(Quality quality) {
        return (rtn.meanKld() - quality.meanKld()) / rtn.meanKld();
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

    private Quality evaluate(String name, Path quantized) throws Exception {
        long started = System.nanoTime();
        double cpu = cpuSeconds();
        EvaluationData data = EvaluationData.open(Map.of("input_ids", Fixtures.path(TrainedByteMlpLm.EVAL_IDS)),
                Fixtures.path(TrainedByteMlpLm.EVAL_LABELS), null);
        EvaluationResult result = Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, quantized,
                quantized.equals(model) ? null : model, data, new EvaluationOptions(50, 0), ProgressListener.NONE);
        Quality quality = new Quality(result.metric(MetricKeys.PERPLEXITY),
                quantized.equals(model) ? 0 : result.metric(MetricKeys.MEAN_KLD));
        figures.put(name, rtn != null
                ? String.format("perplexity %.4f, mean KLD %.6f (%+.1f%% of int4 RTN's KLD removed)",
                        quality.perplexity(), quality.meanKld(), 100 * gapClosed(quality))
                : String.format("perplexity %.4f, mean KLD %.6f", quality.perplexity(), quality.meanKld()));
        figures.put("evaluate " + name, String.format("%.1f s (%.1f CPU s)", (System.nanoTime() - started) / 1e9,
                cpuSeconds() - cpu));
        return quality;
    }

    /** Process CPU time: on a machine shared with other builds it says what a step costs better than wall time. */
    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }
}
