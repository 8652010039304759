package io.qreg.engine.eval;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.npy.NpyArray;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --task embedding} on a generated embedding model, its int8-dynamic quantization and a damaged copy. */
class EmbeddingEvaluationTest {

    private static final int PAIRS = 60;

    @TempDir
    static Path dir;
    private static Path fp32;
    private static Path int8;
    private static Path damaged;
    private static EvaluationData data;

    @BeforeAll
    static void modelsAndData() throws Exception {
        fp32 = EmbeddingModels.writeModel(dir.resolve("embedder.onnx"), 42);
        int8 = dir.resolve("embedder_int8.onnx");
        Quantizer.quantize(fp32, int8, QuantizationOptions.defaults(Method.INT8_DYNAMIC), ProgressListener.NONE);
        // Two levels per sign: every weight becomes -max, -max/2, 0, max/2 or max.
        damaged = RoundedWeights.write(fp32, 2, dir.resolve("embedder_damaged.onnx"));
        data = EvaluationData.open(Map.of("features", EmbeddingModels.writeFeatures(dir.resolve("x.npy"), PAIRS, 7)),
                EmbeddingModels.writePairLabels(dir.resolve("y.npy"), PAIRS), null);
    }

    private static EvaluationResult evaluate(Path model, Path reference, EvaluationData on) throws Exception {
        return Evaluator.evaluate(EvaluationTask.EMBEDDING, model, reference, on, new EvaluationOptions(32, 1),
                ProgressListener.NONE);
    }

    @Test
    void int8DynamicStaysCloseToTheFloatModelInCosineNeighboursAndRecall() throws Exception {
        EvaluationResult result = evaluate(int8, fp32, data);

        assertThat(result.task()).isEqualTo(EvaluationTask.EMBEDDING);
        assertThat(result.samples()).isEqualTo(2 * PAIRS);
        assertThat(result.metric(MetricKeys.MEAN_COSINE)).isBetween(0.99, 1.0);
        assertThat(result.metric(MetricKeys.COSINE_P1)).isBetween(0.95, result.metric(MetricKeys.MEAN_COSINE));
        assertThat(result.metric(MetricKeys.NEIGHBOUR_OVERLAP_10)).isBetween(0.8, 1.0);
        assertThat(result.referenceMetrics().get(MetricKeys.RECALL_10)).isGreaterThan(0.9);
        assertThat(result.metric(MetricKeys.RECALL_10)).isBetween(0.85, 1.0);
        assertThat(result.deltas().get(MetricKeys.RECALL_10)).isEqualTo(
                result.metric(MetricKeys.RECALL_10) - result.referenceMetrics().get(MetricKeys.RECALL_10));
        assertThat(result.metric(MetricKeys.SQNR_DB)).isFinite().isGreaterThan(15.0);
    }

    @Test
    void aDamagedModelScoresWorseThanTheInt8OneOnEveryComparison() throws Exception {
        EvaluationResult good = evaluate(int8, fp32, data);
        EvaluationResult bad = evaluate(damaged, fp32, data);

        assertThat(bad.metric(MetricKeys.MEAN_COSINE)).isLessThan(good.metric(MetricKeys.MEAN_COSINE));
        assertThat(bad.metric(MetricKeys.COSINE_P1)).isLessThan(good.metric(MetricKeys.COSINE_P1));
        assertThat(bad.metric(MetricKeys.NEIGHBOUR_OVERLAP_10)).isLessThan(good.metric(MetricKeys.NEIGHBOUR_OVERLAP_10));
        assertThat(bad.metric(MetricKeys.SQNR_DB)).isLessThan(good.metric(MetricKeys.SQNR_DB));
        System.out.printf("embedder int8-dynamic: %s%nembedder rounded to 2 levels: %s%n", good.metrics(),
                bad.metrics());
    }

    @Test
    void theModelAgainstItselfHasCosineOneAndFullOverlap() throws Exception {
        EvaluationResult result = evaluate(fp32, fp32, data);

        assertThat(result.metric(MetricKeys.MEAN_COSINE)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(result.metric(MetricKeys.NEIGHBOUR_OVERLAP_10)).isEqualTo(1.0);
        assertThat(result.metric(MetricKeys.SQNR_DB)).isInfinite();
        assertThat(result.deltas()).containsExactly(Map.entry(MetricKeys.RECALL_10, 0.0));
    }

    @Test
    void perSliceFiguresAreOverTheSlicesItemsWithNeighboursFromTheWholeSet() throws Exception {
        long[] ids = new long[2 * PAIRS];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i < PAIRS ? 0 : 1; // slice 0: the originals, slice 1: their noisy copies
        }
        EvaluationData sliced = new EvaluationData(data.inputs(), data.labels(), NpyArray.ofLongs(ids, ids.length));

        EvaluationResult result = evaluate(damaged, fp32, sliced);

        assertThat(result.slices()).containsOnlyKeys(0L, 1L);
        SliceMetrics originals = result.slices().get(0L);
        SliceMetrics copies = result.slices().get(1L);
        assertThat(originals.samples()).isEqualTo(PAIRS);
        // Equal-sized slices: their means average to the overall mean.
        assertThat((originals.metrics().get(MetricKeys.MEAN_COSINE) + copies.metrics().get(MetricKeys.MEAN_COSINE)) / 2)
                .isCloseTo(result.metric(MetricKeys.MEAN_COSINE), org.assertj.core.api.Assertions.within(1e-9));
        assertThat((originals.metrics().get(MetricKeys.NEIGHBOUR_OVERLAP_10)
                + copies.metrics().get(MetricKeys.NEIGHBOUR_OVERLAP_10)) / 2)
                .isCloseTo(result.metric(MetricKeys.NEIGHBOUR_OVERLAP_10), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(originals.deltas()).containsKey(MetricKeys.RECALL_10);
    }

    @Test
    void withoutAReferenceOnlyRecallIsReported() throws Exception {
        EvaluationResult result = evaluate(int8, null, data);

        assertThat(result.metrics()).containsOnlyKeys(MetricKeys.RECALL_10);
        assertThat(result.referenceMetrics()).isEmpty();
    }

    @Test
    void withoutLabelsTheComparisonsStillRunButRecallIsAbsent() throws Exception {
        EvaluationData unlabelled = new EvaluationData(data.inputs(), null, null);

        EvaluationResult result = evaluate(int8, fp32, unlabelled);

        assertThat(result.metrics()).containsKeys(MetricKeys.MEAN_COSINE, MetricKeys.NEIGHBOUR_OVERLAP_10)
                .doesNotContainKey(MetricKeys.RECALL_10);
        assertThatThrownBy(() -> evaluate(int8, null, unlabelled)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("needs labels");
    }

    @Test
    void aLabelNamingTheItemItselfOrNoItemIsRefused() throws Exception {
        long[] labels = new long[2 * PAIRS];
        labels[5] = 5;
        EvaluationData selfRelevant = new EvaluationData(data.inputs(), NpyArray.ofLongs(labels, labels.length), null);
        assertThatThrownBy(() -> evaluate(int8, fp32, selfRelevant)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("label 0 of item 0 must name another item");
        labels[0] = 2 * PAIRS;
        EvaluationData outOfRange = new EvaluationData(data.inputs(), NpyArray.ofLongs(labels, labels.length), null);
        assertThatThrownBy(() -> evaluate(int8, fp32, outOfRange)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("label " + 2 * PAIRS + " of item 0");
    }
}
