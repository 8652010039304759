package io.qreg.engine.eval;

import io.qreg.npy.NpyArray;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The new evaluation figures on tiny arrays, against values worked out by hand in the comments. */
class EvaluationMetricsTest {

    private static final float LN3 = (float) Math.log(3);

    @Test
    void klDivergenceIsTakenFromTheReferenceDistributionToTheModels() {
        // reference softmax([0, ln 3]) = [0.25, 0.75]; model softmax([0, 0]) = [0.5, 0.5]
        // KL(ref || model) = 0.25 ln(0.25/0.5) + 0.75 ln(0.75/0.5) = 0.25 ln 0.5 + 0.75 ln 1.5 = 0.130812...
        float[] reference = {0, LN3};
        float[] model = {0, 0};
        assertThat(Logits.klDivergence(reference, model, 0, 2))
                .isCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), within(1e-7))
                .isCloseTo(0.130812, within(1e-6));
        // The other direction differs: 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) = 0.143841...
        assertThat(Logits.klDivergence(model, reference, 0, 2)).isCloseTo(0.143841, within(1e-6));
        assertThat(Logits.klDivergence(reference, reference, 0, 2)).isZero();
        // Shifting every logit of a row changes nothing.
        assertThat(Logits.klDivergence(new float[] {5, 5 + LN3}, model, 0, 2)).isCloseTo(0.130812, within(1e-6));
    }

    @Test
    void percentilesInterpolateLinearlyBetweenTheClosestRanks() {
        FloatSeries series = new FloatSeries();
        for (double v : new double[] {5, 1, 4, 2, 3}) {
            series.add(v);
        }
        // sorted 1..5; rank = f * 4: p99 -> 3.96 -> 4 + 0.96 = 4.96; p99.9 -> 3.996 -> 4.996; p50 -> 3; p1 -> 1.04
        assertThat(series.percentiles(0.99, 0.999, 0.5, 0.01))
                .containsExactly(new double[] {4.96, 4.996, 3.0, 1.04}, within(1e-6));
        assertThat(series.mean()).isEqualTo(3.0);
        assertThat(new FloatSeries().percentiles(0.99)[0]).isNaN();
    }

    @Test
    void languageModelAccumulatorReportsMeanKldTailsRmsDeltaPAndSameTopShare() {
        MetricAccumulator acc = new MetricAccumulator(EvaluationTask.LANGUAGE_MODEL, true);
        // Three labelled positions with KLD 0.1, 0.2, 0.6 and Δp +0.1, -0.3, 0.0; the second has another top token.
        acc.addPosition(lm(1, 1, 1, 0.1, 0.1));
        acc.addPosition(lm(2, 0, 2, 0.2, -0.3));
        acc.addPosition(lm(3, 3, 3, 0.6, 0.0));
        // An ignored position (label -1) counts for nothing but top1Agreement.
        acc.addPosition(new PositionScore(-1, 0, 0, Double.NaN, 1, 0, Double.NaN, 1, 0, 0, Double.NaN, Double.NaN));

        Map<String, Double> m = acc.metrics();
        assertThat(m.get(MetricKeys.MEAN_KLD)).isCloseTo(0.3, within(1e-7));
        // sorted [0.1, 0.2, 0.6]; p99 rank 1.98 -> 0.2 + 0.98 * 0.4 = 0.592; p99.9 rank 1.998 -> 0.5992
        assertThat(m.get(MetricKeys.KLD_P99)).isCloseTo(0.592, within(1e-6));
        assertThat(m.get(MetricKeys.KLD_P999)).isCloseTo(0.5992, within(1e-6));
        // sqrt((0.01 + 0.09 + 0) / 3)
        assertThat(m.get(MetricKeys.RMS_DELTA_P)).isCloseTo(Math.sqrt(0.1 / 3), within(1e-12));
        assertThat(m.get(MetricKeys.SAME_TOP_TOKEN)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.get(MetricKeys.TOP1_AGREEMENT)).isCloseTo(2.0 / 4, within(1e-12));
    }

    private static PositionScore lm(long label, int predicted, int referencePredicted, double kld, double deltaP) {
        return new PositionScore(label, predicted, 1, Double.NaN, referencePredicted, 1, Double.NaN, 1, 0, 0, kld,
                deltaP);
    }

    @Test
    void deltaPIsTheChangeInTheProbabilityOfTheCorrectToken() {
        // reference gives token 1 probability 0.75, the model 0.5: Δp = -0.25
        float[] reference = {0, LN3};
        float[] model = {0, 0};
        double deltaP = Logits.probability(model, 0, 2, 1) - Logits.probability(reference, 0, 2, 1);
        assertThat(deltaP).isCloseTo(-0.25, within(1e-7));
        assertThat(Logits.maxProbability(reference, 0, 2)).isCloseTo(0.75, within(1e-7));
    }

    @Test
    void expectedCalibrationErrorWeighsEachBinsGapByItsSize() {
        CalibrationBins bins = new CalibrationBins();
        bins.add(0.9, true);
        bins.add(0.9, false); // bin (13/15, 14/15]: accuracy 0.5, confidence 0.9 -> 0.4 * 2/4 = 0.2
        bins.add(0.5, true);  // bin (7/15, 8/15]: accuracy 1, confidence 0.5 -> 0.5 * 1/4 = 0.125
        bins.add(0.2, false); // bin (2/15, 3/15]: accuracy 0, confidence 0.2 -> 0.2 * 1/4 = 0.05
        assertThat(bins.expectedCalibrationError()).isCloseTo(0.375, within(1e-12));
        assertThat(CalibrationBins.bin(1.0 / 15)).isZero();
        assertThat(CalibrationBins.bin(1.0)).isEqualTo(14);
        assertThat(new CalibrationBins().expectedCalibrationError()).isNaN();
    }

    @Test
    void flipRateIsCountedPerTrueClassAndUnlabelledSamplesUnderTheReferencesClass() {
        MetricAccumulator acc = new MetricAccumulator(EvaluationTask.CLASSIFICATION, true);
        acc.addPosition(cls(0, 0, 0));
        acc.addPosition(cls(0, 1, 0));  // class 0: a flip
        acc.addPosition(cls(1, 1, 1));
        acc.addPosition(cls(1, 0, 1));  // class 1: a flip
        acc.addPosition(cls(1, 2, 2));  // class 1: both wrong but alike: no flip
        acc.addPosition(cls(-1, 2, 2)); // no label: counted under the reference's class 2

        assertThat(acc.flipsByClass()).containsExactly(
                Map.entry(0L, new ClassFlips(0, 2, 1)),
                Map.entry(1L, new ClassFlips(1, 3, 1)),
                Map.entry(2L, new ClassFlips(2, 1, 0)));
        assertThat(acc.flipsByClass().get(1L).flipRate()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(acc.metrics().get(MetricKeys.FLIP_RATE)).isCloseTo(2.0 / 6, within(1e-12));
        assertThat(acc.metrics()).containsKey(MetricKeys.EXPECTED_CALIBRATION_ERROR);
        assertThat(acc.deltas()).containsKeys(MetricKeys.ACCURACY, MetricKeys.EXPECTED_CALIBRATION_ERROR);
    }

    private static PositionScore cls(long label, int predicted, int referencePredicted) {
        return new PositionScore(label, predicted, 0, 0.8, referencePredicted, 0, 0.9, 1, 0, 0, Double.NaN,
                Double.NaN);
    }

    @Test
    void nearestNeighboursAreByCosineWithTiesToTheLowerIndexAndOverlapIsTheSharedShare() {
        // Unit vectors at 0°, 10°, 90° and 180°.
        double r = Math.toRadians(10);
        float[] vectors = {1, 0, (float) Math.cos(r), (float) Math.sin(r), 0, 3, -2, 0};
        float[] unit = NearestNeighbours.unitRows(vectors, 4, 2);
        int[][] nn = NearestNeighbours.of(unit, 4, 2, 2);
        // item 0: cos to 1 = 0.985, to 2 = 0, to 3 = -1
        assertThat(nn[0]).containsExactly(1, 2);
        // item 2 (90°): to 1 = sin 10° = 0.174, to 0 and to 3 both 0: the lower index, 0, wins
        assertThat(nn[2]).containsExactly(1, 0);
        assertThat(NearestNeighbours.overlap(new int[] {1, 2}, new int[] {2, 3})).isEqualTo(0.5);
        assertThat(NearestNeighbours.overlap(new int[] {1, 2}, new int[] {2, 1})).isEqualTo(1.0);
    }

    @Test
    void embeddingScorerMeanPoolsTokenVectorsAndComparesEachItemWithTheReference() {
        // 3 items, 2 tokens, 2 dimensions. Model pooled: (1,0), (0,1), (1,1); reference: (1,0), (1,1), (1,1).
        float[] model = {1, 0, 1, 0, /**/ 0, 2, 0, 0, /**/ 2, 2, 0, 0};
        float[] reference = {2, 0, 0, 0, /**/ 1, 1, 1, 1, /**/ 1, 1, 1, 1};
        // Item 0's relevant item is 2, item 1's is 2, item 2 has none.
        EvaluationData data = new EvaluationData(Map.of(), NpyArray.ofLongs(new long[] {2, 2, -1}, 3), null);
        EmbeddingScorer scorer = new EmbeddingScorer(true, data, 3);
        scorer.score(0, 3, model, reference, new long[] {3, 2, 2}, "e");

        EvaluationResult result = scorer.result("m", "r", "e");
        // cosines 1, cos 45° = 0.7071, 1; mean 0.9024; p1 rank 0.02 -> 0.7071 + 0.02 * (1 - 0.7071) = 0.71296
        double c45 = Math.sqrt(0.5);
        assertThat(result.metric(MetricKeys.MEAN_COSINE)).isCloseTo((2 + c45) / 3, within(1e-6));
        assertThat(result.metric(MetricKeys.COSINE_P1)).isCloseTo(c45 + 0.02 * (1 - c45), within(1e-6));
        // k = min(10, 3 - 1) = 2: every other item is a neighbour, so overlap and recall are complete
        assertThat(result.metric(MetricKeys.NEIGHBOUR_OVERLAP_10)).isEqualTo(1.0);
        assertThat(result.metric(MetricKeys.RECALL_10)).isEqualTo(1.0);
        assertThat(result.positions()).isEqualTo(3);
    }
}
