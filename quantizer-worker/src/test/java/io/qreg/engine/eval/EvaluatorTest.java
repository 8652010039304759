package io.qreg.engine.eval;

import io.qreg.engine.ProgressListener;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.qreg.engine.eval.Fixtures.bytelmEvalSplit;
import static io.qreg.engine.eval.Fixtures.digitsEvalSplit;
import static io.qreg.engine.eval.Fixtures.digitsImageEvalSplit;
import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EvaluatorTest {

    @Test
    void mlpAccuracyMatchesTheFixtureReadme() throws Exception {
        EvaluationResult result = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, path("digits_mlp.onnx"), null,
                digitsEvalSplit(), new EvaluationOptions(64, 1), ProgressListener.NONE);

        assertThat(result.samples()).isEqualTo(500);
        assertThat(result.metric(MetricKeys.ACCURACY)).isCloseTo(0.978, within(0.0005));
        assertThat(result.metrics()).containsOnlyKeys(MetricKeys.ACCURACY, MetricKeys.EXPECTED_CALIBRATION_ERROR);
        assertThat(result.metric(MetricKeys.EXPECTED_CALIBRATION_ERROR)).isBetween(0.0, 0.2);
        assertThat(result.deltas()).isEmpty();
        assertThat(result.flipsByClass()).isEmpty();
        assertThat(result.slices()).isEmpty();
    }

    @Test
    void cnnAccuracyMatchesTheFixtureReadmeWithImageShapedInput() throws Exception {
        EvaluationResult result = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, path("digits_cnn.onnx"), null,
                digitsImageEvalSplit(), new EvaluationOptions(100, 1), ProgressListener.NONE);

        assertThat(result.metric(MetricKeys.ACCURACY)).isCloseTo(0.986, within(0.0005));
    }

    @Test
    void languageModelPerplexityAndNextByteAccuracyMatchTheFixtureReadme() throws Exception {
        EvaluationData data = bytelmEvalSplit();

        EvaluationResult result = Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, path("bytelm_small.onnx"), null,
                data, new EvaluationOptions(32, 0), ProgressListener.NONE);

        assertThat(result.samples()).isEqualTo(200);
        assertThat(result.positions()).isEqualTo(200L * 128);
        assertThat(result.metric(MetricKeys.PERPLEXITY)).isCloseTo(6.12, within(0.005));
        assertThat(result.metric(MetricKeys.NEXT_TOKEN_ACCURACY)).isCloseTo(0.526, within(0.0005));
    }

    @Test
    void batchSizeDoesNotChangeTheMetrics() throws Exception {
        EvaluationResult one = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, path("digits_mlp.onnx"), null,
                digitsEvalSplit(), new EvaluationOptions(7, 1), ProgressListener.NONE);
        EvaluationResult all = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, path("digits_mlp.onnx"), null,
                digitsEvalSplit(), new EvaluationOptions(500, 1), ProgressListener.NONE);

        assertThat(one.metrics()).isEqualTo(all.metrics());
    }

    @Test
    void modelAgainstItselfAgreesEverywhereWithInfiniteSqnrAndZeroDeltas() throws Exception {
        EvaluationResult result = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, path("digits_mlp.onnx"),
                path("digits_mlp.onnx"), digitsEvalSplit(), new EvaluationOptions(128, 1), ProgressListener.NONE);

        assertThat(result.metric(MetricKeys.TOP1_AGREEMENT)).isEqualTo(1.0);
        assertThat(result.metric(MetricKeys.SQNR_DB)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(result.metric(MetricKeys.MAX_ABS_ERROR)).isEqualTo(0.0);
        assertThat(result.referenceMetrics()).containsEntry(MetricKeys.ACCURACY, result.metric(MetricKeys.ACCURACY));
        assertThat(result.deltas()).containsExactly(Map.entry(MetricKeys.ACCURACY, 0.0),
                Map.entry(MetricKeys.EXPECTED_CALIBRATION_ERROR, 0.0));
        assertThat(result.metric(MetricKeys.FLIP_RATE)).isZero();
        assertThat(result.flipsByClass()).hasSize(10).allSatisfy((id, c) -> assertThat(c.flips()).isZero());
    }

    @Test
    void languageModelAgainstItselfHasZeroPerplexityDelta() throws Exception {
        EvaluationData data = bytelmEvalSplit();

        EvaluationResult result = Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, path("bytelm_small.onnx"),
                path("bytelm_small.onnx"), data, new EvaluationOptions(50, 0), ProgressListener.NONE);

        assertThat(result.metric(MetricKeys.TOP1_AGREEMENT)).isEqualTo(1.0);
        assertThat(result.metric(MetricKeys.SQNR_DB)).isInfinite();
        assertThat(result.deltas()).containsOnlyKeys(MetricKeys.PERPLEXITY, MetricKeys.NEXT_TOKEN_ACCURACY);
        assertThat(result.deltas().values()).containsOnly(0.0);
        assertThat(result.metric(MetricKeys.MEAN_KLD)).isZero();
        assertThat(result.metric(MetricKeys.KLD_P999)).isZero();
        assertThat(result.metric(MetricKeys.RMS_DELTA_P)).isZero();
        assertThat(result.metric(MetricKeys.SAME_TOP_TOKEN)).isEqualTo(1.0);
    }

    @Test
    void roundedLanguageModelHasPositiveKldWithOrderedTailsAndAProbabilityShift(@TempDir Path dir) throws Exception {
        EvaluationResult result = RoundedWeights.roundedByteLmAgainstItsOriginal(dir);

        double mean = result.metric(MetricKeys.MEAN_KLD);
        System.out.printf("bytelm_small rounded to 15 levels: %s%n", result.metrics());
        assertThat(mean).isPositive().isLessThan(1.0);
        assertThat(result.metric(MetricKeys.KLD_P99)).isGreaterThan(mean);
        assertThat(result.metric(MetricKeys.KLD_P999)).isGreaterThanOrEqualTo(result.metric(MetricKeys.KLD_P99));
        assertThat(result.metric(MetricKeys.RMS_DELTA_P)).isPositive().isLessThan(0.5);
        assertThat(result.metric(MetricKeys.SAME_TOP_TOKEN)).isBetween(0.5, 1.0);
        // Every position of this split is labelled, so "same top token" and top-1 agreement count the same rows.
        assertThat(result.metric(MetricKeys.SAME_TOP_TOKEN)).isEqualTo(result.metric(MetricKeys.TOP1_AGREEMENT));
    }

    @Test
    void roundedWeightsGiveFiniteSqnrHighAgreementAndSignedDeltas(@TempDir Path dir) throws Exception {
        Path rounded = RoundedWeights.write(path("digits_mlp.onnx"), 7, dir.resolve("mlp_rounded.onnx"));

        EvaluationResult result = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, rounded, path("digits_mlp.onnx"),
                digitsEvalSplit(), new EvaluationOptions(64, 1), ProgressListener.NONE);

        assertThat(result.metric(MetricKeys.SQNR_DB)).isFinite().isBetween(5.0, 60.0);
        assertThat(result.metric(MetricKeys.TOP1_AGREEMENT)).isBetween(0.8, 1.0);
        assertThat(result.metric(MetricKeys.MAX_ABS_ERROR)).isPositive();
        assertThat(result.referenceMetrics().get(MetricKeys.ACCURACY)).isCloseTo(0.978, within(0.0005));
        assertThat(result.deltas().get(MetricKeys.ACCURACY)).isCloseTo(
                result.metric(MetricKeys.ACCURACY) - 0.978, within(0.0005));
        assertThat(MetricAccumulator.sqnrDb(100, 1)).isCloseTo(20.0, within(1e-12));
        assertThat(result.metric(MetricKeys.FLIP_RATE)).isPositive()
                .isCloseTo(1 - result.metric(MetricKeys.TOP1_AGREEMENT), within(1e-12));
        long samples = result.flipsByClass().values().stream().mapToLong(ClassFlips::samples).sum();
        long flips = result.flipsByClass().values().stream().mapToLong(ClassFlips::flips).sum();
        assertThat(samples).isEqualTo(500);
        assertThat((double) flips / samples).isCloseTo(result.metric(MetricKeys.FLIP_RATE), within(1e-12));
        assertThat(result.referenceMetrics()).containsKey(MetricKeys.EXPECTED_CALIBRATION_ERROR);
        assertThat(result.deltas().get(MetricKeys.EXPECTED_CALIBRATION_ERROR)).isCloseTo(
                result.metric(MetricKeys.EXPECTED_CALIBRATION_ERROR)
                        - result.referenceMetrics().get(MetricKeys.EXPECTED_CALIBRATION_ERROR), within(1e-12));
    }

    @Test
    void perSliceMetricsCountSamplesAndAddUpToTheOverallAccuracy(@TempDir Path dir) throws Exception {
        long[] ids = new long[500];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % 3 == 0 ? 7 : 2; // slice 7: samples 0, 3, 6, ... (167 of them); slice 2: the other 333
        }
        Path slices = dir.resolve("slices.npy");
        try (OutputStream out = Files.newOutputStream(slices)) {
            NpyWriter.write(out, NpyArray.ofLongs(ids, 500));
        }

        EvaluationResult result = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, path("digits_mlp.onnx"),
                path("digits_mlp.onnx"), digitsEvalSplit(slices), new EvaluationOptions(64, 1), ProgressListener.NONE);

        assertThat(result.slices()).containsOnlyKeys(2L, 7L);
        SliceMetrics seven = result.slices().get(7L);
        SliceMetrics two = result.slices().get(2L);
        assertThat(seven.samples()).isEqualTo(167);
        assertThat(two.samples()).isEqualTo(333);
        double weighted = (seven.metrics().get(MetricKeys.ACCURACY) * 167 + two.metrics().get(MetricKeys.ACCURACY) * 333)
                / 500;
        assertThat(weighted).isCloseTo(result.metric(MetricKeys.ACCURACY), within(1e-12));
        assertThat(seven.metrics()).containsKeys(MetricKeys.TOP1_AGREEMENT, MetricKeys.SQNR_DB, MetricKeys.MAX_ABS_ERROR);
        assertThat(seven.deltas()).containsEntry(MetricKeys.ACCURACY, 0.0);
    }

    @Test
    void progressReachesTheSampleCount() throws Exception {
        long[] last = new long[2];
        boolean[] finished = new boolean[1];
        ProgressListener listener = new ProgressListener() {
            @Override
            public void progress(String stage, long done, long total) {
                last[0] = done;
                last[1] = total;
            }

            @Override
            public void finish() {
                finished[0] = true;
            }
        };

        Evaluator.evaluate(EvaluationTask.CLASSIFICATION, path("digits_mlp.onnx"), null, digitsEvalSplit(),
                new EvaluationOptions(64, 1), listener);

        assertThat(last).containsExactly(500, 500);
        assertThat(finished[0]).isTrue();
    }
}
