package io.qreg.engine.eval;

import java.util.List;

/**
 * Metric names as they appear in {@link EvaluationResult#metrics()} and in the registry's
 * {@code evaluations[].metrics}; scripts and policies read these exact keys. docs/engine.md ("Evaluation
 * metrics") defines each one.
 */
public final class MetricKeys {

    public static final String ACCURACY = "accuracy";
    public static final String PERPLEXITY = "perplexity";
    public static final String NEXT_TOKEN_ACCURACY = "nextTokenAccuracy";
    public static final String TOP1_AGREEMENT = "top1Agreement";
    public static final String SQNR_DB = "sqnrDb";
    public static final String MAX_ABS_ERROR = "maxAbsError";

    /** Classification: share of samples whose predicted class differs from the reference's. */
    public static final String FLIP_RATE = "flipRate";
    /** Classification: expected calibration error over 15 equal-width confidence bins. */
    public static final String EXPECTED_CALIBRATION_ERROR = "expectedCalibrationError";

    /** Language model: mean KL(reference || model) of the next-token distributions, in nats. */
    public static final String MEAN_KLD = "meanKld";
    /** Language model: 99th percentile of the per-position KL divergence. */
    public static final String KLD_P99 = "kld99";
    /** Language model: 99.9th percentile of the per-position KL divergence. */
    public static final String KLD_P999 = "kld999";
    /** Language model: root mean square of p_model(correct token) − p_reference(correct token). */
    public static final String RMS_DELTA_P = "rmsDeltaP";
    /** Language model: share of positions where model and reference have the same most likely token. */
    public static final String SAME_TOP_TOKEN = "sameTopToken";

    /** Embedding: mean cosine similarity between each item's vector and the reference's. */
    public static final String MEAN_COSINE = "meanCosine";
    /** Embedding: 1st percentile of that cosine similarity (the worst items). */
    public static final String COSINE_P1 = "cosineP1";
    /** Embedding: mean share of each item's 10 nearest neighbours that are also the reference's. */
    public static final String NEIGHBOUR_OVERLAP_10 = "neighbourOverlap10";
    /** Embedding: share of items whose relevant item (the label) is among their 10 nearest neighbours. */
    public static final String RECALL_10 = "recall10";

    /** Metrics of a model against labels, which a reference model has too and so can be compared (deltas). */
    public static final List<String> TASK_METRICS = List.of(ACCURACY, EXPECTED_CALIBRATION_ERROR, PERPLEXITY,
            NEXT_TOKEN_ACCURACY, RECALL_10);

    private MetricKeys() {
    }
}
