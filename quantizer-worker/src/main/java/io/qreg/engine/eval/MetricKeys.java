package io.qreg.engine.eval;

import java.util.List;

/**
 * Metric names as they appear in {@link EvaluationResult#metrics()} and in the registry's
 * {@code evaluations[].metrics}; scripts and policies read these exact keys.
 */
public final class MetricKeys {

    public static final String ACCURACY = "accuracy";
    public static final String PERPLEXITY = "perplexity";
    public static final String NEXT_TOKEN_ACCURACY = "nextTokenAccuracy";
    public static final String TOP1_AGREEMENT = "top1Agreement";
    public static final String SQNR_DB = "sqnrDb";
    public static final String MAX_ABS_ERROR = "maxAbsError";

    /** Metrics of a model against labels, which a reference model has too and so can be compared (deltas). */
    public static final List<String> TASK_METRICS = List.of(ACCURACY, PERPLEXITY, NEXT_TOKEN_ACCURACY);

    private MetricKeys() {
    }
}
