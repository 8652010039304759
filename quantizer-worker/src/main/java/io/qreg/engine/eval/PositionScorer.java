package io.qreg.engine.eval;

import io.qreg.npy.NpyArray;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores classifiers and language models: each row along the output's last axis is a class or next-token score
 * vector with one label; figures go to the overall and per-slice {@link MetricAccumulator}s.
 */
final class PositionScorer implements BatchScorer {

    private final EvaluationTask task;
    private final boolean withReference;
    private final NpyArray labels;
    private final ByteBuffer labelData;
    private final NpyArray slices;
    private final ByteBuffer sliceData;
    private final long labelsPerSample;
    private final MetricAccumulator overall;
    private final Map<Long, MetricAccumulator> bySlice = new TreeMap<>();
    private final SelectiveRoutingAccumulator routing = new SelectiveRoutingAccumulator();

    PositionScorer(EvaluationTask task, boolean withReference, EvaluationData data, int samples) {
        this.task = task;
        this.withReference = withReference;
        this.labels = data.labels();
        this.labelData = labels.data();
        this.slices = data.slices();
        this.sliceData = slices == null ? null : slices.data();
        this.labelsPerSample = samples == 0 ? 0 : labels.elementCount() / samples;
        this.overall = new MetricAccumulator(task, withReference);
    }

    @Override
    public void score(int start, int count, float[] out, float[] ref, long[] shape, String outputName) {
        if (shape.length < 2) {
            throw new InvalidInputException("output '" + outputName + "' has shape " + Arrays.toString(shape)
                    + "; scoring needs scores along a last axis, e.g. [N, classes] or [N, T, vocab]");
        }
        int classes = (int) shape[shape.length - 1];
        int positionsPerSample = out.length / count / classes;
        if (positionsPerSample != labelsPerSample) {
            throw new InvalidInputException("output '" + outputName + "' has " + positionsPerSample
                    + " score rows per sample (shape " + Arrays.toString(shape) + ") but the labels (shape "
                    + Arrays.toString(labels.shape()) + ") have " + labelsPerSample + " per sample");
        }
        if (task == EvaluationTask.CLASSIFICATION && positionsPerSample != 1) {
            throw new InvalidInputException("classification needs one score row per sample; output '"
                    + outputName + "' has shape " + Arrays.toString(shape) + " — use --task language-model for"
                    + " per-token outputs");
        }
        for (int s = 0; s < count; s++) {
            long sample = start + s;
            MetricAccumulator slice = null;
            if (slices != null) {
                long id = NpyElements.integerAt(sliceData, slices.dtype(), sample);
                slice = bySlice.computeIfAbsent(id, k -> new MetricAccumulator(task, withReference));
                slice.addSample();
            }
            overall.addSample();
            for (int p = 0; p < positionsPerSample; p++) {
                long label = NpyElements.integerAt(labelData, labels.dtype(), sample * positionsPerSample + p);
                if (label >= classes) {
                    throw new InvalidInputException("label " + label + " of sample " + sample + " is outside the "
                            + classes + " classes of output '" + outputName + "'");
                }
                PositionScore score = scorePosition(out, ref, (s * positionsPerSample + p) * classes, classes, label);
                overall.addPosition(score);
                // The positions that count for the curve: a classifier's every sample, a language model's
                // labelled tokens (as for the KL divergence; a negative label marks padding).
                if (withReference && (task == EvaluationTask.CLASSIFICATION || label >= 0)) {
                    routing.add(score.confidence(), score.predicted() != score.referencePredicted());
                }
                if (slice != null) {
                    slice.addPosition(score);
                }
            }
        }
    }

    private PositionScore scorePosition(float[] out, float[] ref, int offset, int classes, long label) {
        boolean languageModel = task == EvaluationTask.LANGUAGE_MODEL;
        boolean hasLabel = label >= 0;
        int target = (int) label;
        int predicted = Logits.argmax(out, offset, classes);
        double crossEntropy = languageModel && hasLabel ? Logits.crossEntropy(out, offset, classes, target) : 0;
        if (ref == null) {
            double confidence = languageModel ? Double.NaN : Logits.maxProbability(out, offset, classes);
            return new PositionScore(label, predicted, crossEntropy, confidence, -1, 0, Double.NaN, 0, 0, 0,
                    Double.NaN, Double.NaN);
        }
        // Against a reference a language model's top-token probability is the selective-routing confidence.
        double confidence = languageModel && !hasLabel ? Double.NaN : Logits.maxProbability(out, offset, classes);
        int referencePredicted = Logits.argmax(ref, offset, classes);
        double referenceCrossEntropy = languageModel && hasLabel
                ? Logits.crossEntropy(ref, offset, classes, target) : 0;
        double referenceConfidence = languageModel ? Double.NaN : Logits.maxProbability(ref, offset, classes);
        double signal = 0;
        double noise = 0;
        double maxAbs = 0;
        for (int c = offset; c < offset + classes; c++) {
            double r = ref[c];
            double e = r - out[c];
            signal += r * r;
            noise += e * e;
            maxAbs = Math.max(maxAbs, Math.abs(e));
        }
        // KL divergence and Δp over the positions that count for perplexity (a negative label marks padding).
        double kld = languageModel && hasLabel ? Logits.klDivergence(ref, out, offset, classes) : Double.NaN;
        double deltaP = languageModel && hasLabel
                ? Math.exp(-crossEntropy) - Math.exp(-referenceCrossEntropy) : Double.NaN;
        return new PositionScore(label, predicted, crossEntropy, confidence, referencePredicted,
                referenceCrossEntropy, referenceConfidence, signal, noise, maxAbs, kld, deltaP);
    }

    @Override
    public EvaluationResult result(String model, String reference, String outputName) {
        Map<Long, SliceMetrics> sliceMetrics = new LinkedHashMap<>();
        bySlice.forEach((id, acc) -> sliceMetrics.put(id,
                new SliceMetrics(id, acc.samples(), acc.metrics(), acc.deltas())));
        return new EvaluationResult(task, model, reference, outputName, overall.samples(), overall.positions(),
                overall.metrics(), overall.referenceMetrics(), overall.deltas(), sliceMetrics,
                overall.flipsByClass(), routing.curve(task == EvaluationTask.LANGUAGE_MODEL
                        ? SelectiveRoutingCurve.TOP_TOKEN_PROBABILITY : SelectiveRoutingCurve.MAX_SOFTMAX_PROBABILITY));
    }
}
