package io.qreg.engine.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics of the samples sharing one slice id.
 *
 * @param sliceId the id from the slices array
 * @param samples how many samples carry it, so that a reader can judge how much a small slice's figure means
 * @param metrics as {@link EvaluationResult#metrics()}, over this slice only
 * @param deltas  as {@link EvaluationResult#deltas()}, over this slice only (empty without a reference)
 */
public record SliceMetrics(long sliceId, int samples, Map<String, Double> metrics, Map<String, Double> deltas) {

    public SliceMetrics {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        deltas = Collections.unmodifiableMap(new LinkedHashMap<>(deltas));
    }
}
