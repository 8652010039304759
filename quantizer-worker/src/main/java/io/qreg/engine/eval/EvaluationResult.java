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
 * @param positions        scored positions: samples for classification, samples × sequence length for a language
 *                         model (labelled or not)
 * @param metrics          keys from {@link MetricKeys}: {@code accuracy} (classification), {@code perplexity} and
 *                         {@code nextTokenAccuracy} (language model); with a reference also {@code top1Agreement},
 *                         {@code sqnrDb} ({@code +Infinity} when the outputs are identical) and {@code maxAbsError}
 * @param referenceMetrics the reference's own task metrics on the same data; empty without a reference
 * @param deltas           model − reference for each task metric; empty without a reference
 * @param slices           per-slice metrics by slice id, ascending; empty without a slices array
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
        Map<Long, SliceMetrics> slices) {

    public EvaluationResult {
        metrics = ordered(metrics);
        referenceMetrics = ordered(referenceMetrics);
        deltas = ordered(deltas);
        slices = Collections.unmodifiableMap(new TreeMap<>(slices));
    }

    private static Map<String, Double> ordered(Map<String, Double> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** A metric's value, or NaN if this evaluation did not compute it. */
    public double metric(String key) {
        return metrics.getOrDefault(key, Double.NaN);
    }
}
