package io.qreg.registry.variant;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A variant as the API returns it, with its lineage and every measurement taken of it.
 *
 * @param precisionMix the engine report's {@code precisionMix}: layers and parameters per precision and bits per
 *     weight as stored in the file; null when the report has none
 * @param precisionLabel {@link PrecisionLabel}: the method with the mix, e.g. "int8-static · 3 of 5 layers · 9.8
 *     bits/weight", or just the method
 */
public record VariantView(UUID id, String modelName, UUID checkpointId, String sha256, long sizeBytes, String method,
        Map<String, Object> precisionMix, String precisionLabel, Instant createdAt, String createdBy,
        Map<String, Object> lineage, Object report, List<EvaluationView> evaluations, List<BenchmarkView> benchmarks) {

    /** The mix and label read from the stored report. */
    public VariantView(UUID id, String modelName, UUID checkpointId, String sha256, long sizeBytes, String method,
            Instant createdAt, String createdBy, Map<String, Object> lineage, Object report,
            List<EvaluationView> evaluations, List<BenchmarkView> benchmarks) {
        this(id, modelName, checkpointId, sha256, sizeBytes, method, PrecisionLabel.mixOf(report),
                PrecisionLabel.of(method, PrecisionLabel.mixOf(report)), createdAt, createdBy, lineage, report,
                evaluations, benchmarks);
    }

    /**
     * One evaluation of the variant on a dataset, compared with its source checkpoint. {@code flipRateByClass}:
     * a classifier's class id → {samples, flips, flipRate} against the checkpoint, else null.
     * {@code selectiveRouting}: the curve of re-sending low-confidence answers to the checkpoint
     * ({confidence, positions, disagreements, points[{threshold, traffic, recovery}]}), else null.
     */
    public record EvaluationView(UUID id, Map<String, Object> dataset, Object metrics, Object referenceMetrics,
            Object deltas, Object slices, Long samples, Object hardwareProfile, Instant createdAt, UUID jobId,
            Object flipRateByClass, Object selectiveRouting) {
    }

    /**
     * One benchmark of the variant against its checkpoint on a hardware target. {@code speedupLow}/{@code speedupHigh}:
     * the speed-up's 95 % bootstrap interval over the interleaved rounds, {@code latencyP99HighMs} the p99's upper
     * bound, {@code speedupNoisy} whether the interval is wider than 10 % of the estimate; all null on benchmarks
     * recorded before intervals existed.
     */
    public record BenchmarkView(UUID id, String hardwareTarget, Object hardwareProfile, Double latencyP50Ms,
            Double latencyP99Ms, Double speedup, Object results, Instant createdAt, UUID jobId, Double speedupLow,
            Double speedupHigh, Double latencyP99HighMs, Boolean speedupNoisy) {

        /** Whether the benchmark carries an interval (recorded by a worker that computes one). */
        public boolean hasInterval() {
            return speedupLow != null && speedupHigh != null;
        }
    }
}
