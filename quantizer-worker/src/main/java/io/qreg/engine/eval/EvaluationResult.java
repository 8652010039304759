package io.qreg.engine.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of evaluating a model, optionally against a reference (typically the FP32 checkpoint a quantized
 * variant was made from).
 *
 * @param task             what the outputs mean
 * @param model            the evaluated model's path as given
 * @param reference        the reference's path, or {@code null}
 * @param outputName       the model output that was scored (the graph's first output)
 * @param samples          samples evaluated
 * @param positions        scored positions: samples for classification and embeddings, samples × sequence length
 *                         for a language model (labelled or not)
 * @param metrics          keys from {@link MetricKeys}: {@code accuracy} and {@code expectedCalibrationError}
 *                         (classification), {@code perplexity} and {@code nextTokenAccuracy} (language model),
 *                         {@code recall10} (embedding with labels); with a reference also the comparisons to it:
 *                         {@code sqnrDb} ({@code +Infinity} when the outputs are identical) and
 *                         {@code maxAbsError}; {@code top1Agreement} for classifiers and language models; and
 *                         per task {@code flipRate}, the KL divergence figures, or the cosine and neighbour
 *                         figures
 * @param referenceMetrics the reference's own task metrics on the same data; empty without a reference
 * @param deltas           model − reference for each task metric; empty without a reference
 * @param slices           per-slice metrics by slice id, ascending; empty without a slices array
 * @param flipsByClass     classification with a reference: per class, how often the prediction differs from the
 *                         reference's ({@link ClassFlips}), class ids ascending; empty otherwise
 * @param selectiveRouting classifiers and language models with a reference: the {@link SelectiveRoutingCurve} of
 *                         re-sending low-confidence answers to the reference; null otherwise
 */
public record EvaluationResult(
        EvaluationTask task,
        String model,
        String reference,
        String outputName,
        int samples,
        long positions,
        Map<String, Double> metrics,
        Map<String, Double> referenceMetrics,
        Map<String, Double> deltas,
        Map<Long, SliceMetrics> slices,
        Map<Long, ClassFlips> flipsByClass,
        SelectiveRoutingCurve selectiveRouting) {

    /** A result without a selective-routing curve (embeddings, or no reference). */
    public EvaluationResult(EvaluationTask task, String model, String reference, String outputName, int samples,
                            long positions, Map<String, Double> metrics, Map<String, Double> referenceMetrics,
                            Map<String, Double> deltas, Map<Long, SliceMetrics> slices,
                            Map<Long, ClassFlips> flipsByClass) {
        this(task, model, reference, outputName, samples, positions, metrics, referenceMetrics, deltas, slices,
                flipsByClass, null);
    }

    public EvaluationResult {
        metrics = ordered(metrics);
        referenceMetrics = ordered(referenceMetrics);
        deltas = ordered(deltas);
        slices = Collections.unmodifiableMap(new TreeMap<>(slices));
        flipsByClass = Collections.unmodifiableMap(new TreeMap<>(flipsByClass));
    }

    private static Map<String, Double> ordered(Map<String, Double> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** A metric's value, or NaN if this evaluation did not compute it. */
    public double metric(String key) {
        return metrics.getOrDefault(key, Double.NaN);
    }
}
