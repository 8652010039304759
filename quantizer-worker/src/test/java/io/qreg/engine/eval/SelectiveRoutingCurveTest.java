package io.qreg.engine.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.ProgressListener;
import io.qreg.npy.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.qreg.engine.eval.Fixtures.digitsEvalSplit;
import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The selective-routing curve against a reference worked out in the test by brute force: for every threshold the
 * curve reports, count the positions at or below it and the disagreements among them, and check the threshold is
 * the confidence quantile it claims to be.
 */
class SelectiveRoutingCurveTest {

    /** A position as the test sees it. */
    private record Scored(float confidence, boolean disagrees) {
    }

    @Test
    void eachPointCountsTrafficAndRecoveryExactlyAtAConfidenceQuantileWithTiesIncluded() {
        Random random = new Random(14);
        List<Scored> scored = new ArrayList<>();
        SelectiveRoutingAccumulator acc = new SelectiveRoutingAccumulator();
        for (int i = 0; i < 1_237; i++) {
            // Coarse confidences make ties; low confidence disagrees more often, as in a real variant.
            float confidence = Math.round(random.nextDouble() * 40) / 40f;
            boolean disagrees = random.nextDouble() < 0.5 * (1 - confidence);
            scored.add(new Scored(confidence, disagrees));
            acc.add(confidence, disagrees);
        }
        SelectiveRoutingCurve curve = acc.curve(SelectiveRoutingCurve.MAX_SOFTMAX_PROBABILITY);

        long disagreements = scored.stream().filter(Scored::disagrees).count();
        assertThat(curve.positions()).isEqualTo(1_237);
        assertThat(curve.disagreements()).isEqualTo(disagreements).isPositive();
        assertThat(curve.points()).hasSizeBetween(2, SelectiveRoutingAccumulator.STEPS + 1);
        assertReferenceAgrees(curve, scored);
        // Every percent of traffic has a point at or before it: no step of the curve is skipped.
        for (int step = 0; step <= 100; step++) {
            double share = step / 100.0;
            assertThat(curve.points()).as("a point re-sending at least %s", share)
                    .anyMatch(p -> p.traffic() >= share - 1e-12);
        }
        SelectiveRoutingCurve.Point last = curve.points().get(curve.points().size() - 1);
        assertThat(last.traffic()).isEqualTo(1.0);
        assertThat(last.recovery()).isEqualTo(1.0);
    }

    /** Checks each point against a count over the positions, and that thresholds and shares only grow. */
    private static void assertReferenceAgrees(SelectiveRoutingCurve curve, List<Scored> scored) {
        long n = scored.size();
        long disagreements = scored.stream().filter(Scored::disagrees).count();
        SelectiveRoutingCurve.Point previous = null;
        for (SelectiveRoutingCurve.Point p : curve.points()) {
            long routed = scored.stream().filter(s -> s.confidence() <= p.threshold()).count();
            long recovered = scored.stream().filter(s -> s.disagrees() && s.confidence() <= p.threshold()).count();
            assertThat(p.traffic()).as("traffic at %s", p.threshold()).isEqualTo((double) routed / n);
            assertThat(p.recovery()).as("recovery at %s", p.threshold())
                    .isEqualTo(disagreements == 0 ? 1.0 : (double) recovered / disagreements);
            if (p.threshold() > 0) {
                // A quantile: the threshold is a confidence some position has, and fewer positions lie below it.
                assertThat(scored).anyMatch(s -> s.confidence() == (float) p.threshold());
            }
            if (previous != null) {
                assertThat(p.threshold()).isGreaterThan(previous.threshold());
                assertThat(p.traffic()).isGreaterThan(previous.traffic());
                assertThat(p.recovery()).isGreaterThanOrEqualTo(previous.recovery());
            }
            previous = p;
        }
        assertThat(curve.points().get(0).threshold()).isZero();
    }

    @Test
    void withoutDisagreementsEveryPointRecoversEverythingAndUnscorableRowsAreResentFirst() {
        SelectiveRoutingAccumulator acc = new SelectiveRoutingAccumulator();
        acc.add(0.9, false);
        acc.add(Double.NaN, false);
        acc.add(0.6, false);
        acc.add(0.6, false);
        SelectiveRoutingCurve curve = acc.curve(SelectiveRoutingCurve.TOP_TOKEN_PROBABILITY);

        // Thresholds 0 (the NaN row), 0.6 (both ties at once) and 0.9.
        assertThat(curve.points()).extracting(SelectiveRoutingCurve.Point::threshold)
                .containsExactly(0.0, (double) 0.6f, (double) 0.9f);
        assertThat(curve.points()).extracting(SelectiveRoutingCurve.Point::traffic).containsExactly(0.25, 0.75, 1.0);
        assertThat(curve.points()).allMatch(p -> p.recovery() == 1.0);
        assertThat(curve.confidence()).isEqualTo("topTokenProbability");
        assertThat(new SelectiveRoutingAccumulator().curve("x")).isNull();
    }

    @Test
    void theEvaluatorsCurveOfARoundedClassifierMatchesOneRecomputedFromBothModelsOutputs(@TempDir Path dir)
            throws Exception {
        Path rounded = RoundedWeights.write(path("digits_mlp.onnx"), 3, dir.resolve("mlp_rounded.onnx"));
        EvaluationResult result = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, rounded, path("digits_mlp.onnx"),
                digitsEvalSplit(), new EvaluationOptions(64, 1), ProgressListener.NONE);

        float[][] variant = logits(rounded);
        float[][] reference = logits(path("digits_mlp.onnx"));
        List<Scored> scored = new ArrayList<>();
        for (int i = 0; i < variant.length; i++) {
            scored.add(new Scored((float) maxSoftmax(variant[i]), argmax(variant[i]) != argmax(reference[i])));
        }
        SelectiveRoutingCurve curve = result.selectiveRouting();
        assertThat(curve.confidence()).isEqualTo("maxSoftmaxProbability");
        assertThat(curve.positions()).isEqualTo(500);
        assertThat((double) curve.disagreements() / 500)
                .isCloseTo(result.metric(MetricKeys.FLIP_RATE), within(1e-12));
        assertThat(curve.disagreements()).as("3 levels per sign change some digits").isPositive();
        assertReferenceAgrees(curve, scored);
    }

    @Test
    void aLanguageModelsCurveIsOverItsLabelledPositionsByTopTokenProbability(@TempDir Path dir) throws Exception {
        EvaluationResult result = RoundedWeights.roundedByteLmAgainstItsOriginal(dir);

        SelectiveRoutingCurve curve = result.selectiveRouting();
        long labelled = java.util.Arrays.stream(NpyArray.read(path("bytelm_small_eval_labels.npy")).toLongArray())
                .filter(label -> label >= 0).count();
        assertThat(curve.confidence()).isEqualTo("topTokenProbability");
        assertThat(curve.positions()).isEqualTo(labelled);
        // Disagreements are the labelled positions whose top token differs: 1 - sameTopToken of them.
        assertThat(1 - (double) curve.disagreements() / curve.positions())
                .isCloseTo(result.metric(MetricKeys.SAME_TOP_TOKEN), within(1e-12));
        assertThat(curve.points()).hasSizeBetween(90, 101);
        // The rounded model's doubt is informative: re-sending its least confident 10% recovers more than 10%.
        SelectiveRoutingCurve.Point tenth = curve.points().stream().filter(p -> p.traffic() >= 0.1).findFirst()
                .orElseThrow();
        assertThat(tenth.recovery()).isGreaterThan(tenth.traffic());
    }

    @Test
    void noReferenceNoCurve() throws Exception {
        EvaluationResult result = Evaluator.evaluate(EvaluationTask.CLASSIFICATION, path("digits_mlp.onnx"), null,
                digitsEvalSplit(), new EvaluationOptions(64, 1), ProgressListener.NONE);
        assertThat(result.selectiveRouting()).isNull();
    }

    private static float[][] logits(Path model) throws Exception {
        NpyArray x = NpyArray.read(path("digits_eval_x.npy"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()),
                     new long[] {x.samples(), 64});
             OrtSession.Result out = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
            return (float[][]) out.get(0).getValue();
        }
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double maxSoftmax(float[] row) {
        double max = row[argmax(row)];
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        return 1 / sum;
    }
}
