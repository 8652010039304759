package io.qreg.registry.policy;

/**
 * The thresholds of one named slice (a policy's {@code sliceThresholds} entry): a rare, high-impact slice gates a
 * variant on its own. {@code maxAccuracyDrop} is a fraction, as the overall one is, compared with that slice's
 * accuracy delta against the checkpoint.
 */
public record SliceThreshold(Double maxAccuracyDrop) {

    static final String MAX_ACCURACY_DROP = "maxAccuracyDrop";
}
