package io.qreg.engine.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running sums for one group of samples (the whole dataset or one slice), turned into metrics at the end.
 * Sums rather than stored outputs keep memory independent of the dataset size.
 */
final class MetricAccumulator {

    private final EvaluationTask task;
    private final boolean withReference;

    private int samples;
    private long positions;
    private long labelled;
    private long correct;
    private double crossEntropySum;
    private long referenceCorrect;
    private double referenceCrossEntropySum;
    private long agreements;
    private double referenceEnergy;
    private double errorEnergy;
    private double maxAbsError;

    MetricAccumulator(EvaluationTask task, boolean withReference) {
        this.task = task;
        this.withReference = withReference;
    }

    void addSample() {
        samples++;
    }

    /**
     * One scored position.
     *
     * @param label the target class/token, or negative when the position carries no label
     */
    void addPosition(long label, int predicted, double crossEntropy, int referencePredicted,
                     double referenceCrossEntropy, double referenceSquares, double errorSquares, double maxAbs) {
        positions++;
        if (label >= 0) {
            labelled++;
            if (predicted == label) {
                correct++;
            }
            crossEntropySum += crossEntropy;
        }
        if (withReference) {
            if (label >= 0) {
                if (referencePredicted == label) {
                    referenceCorrect++;
                }
                referenceCrossEntropySum += referenceCrossEntropy;
            }
            if (predicted == referencePredicted) {
                agreements++;
            }
            referenceEnergy += referenceSquares;
            errorEnergy += errorSquares;
            maxAbsError = Math.max(maxAbsError, maxAbs);
        }
    }

    int samples() {
        return samples;
    }

    long positions() {
        return positions;
    }

    Map<String, Double> metrics() {
        Map<String, Double> metrics = taskMetrics(correct, crossEntropySum);
        if (withReference) {
            metrics.put(MetricKeys.TOP1_AGREEMENT, ratio(agreements, positions));
            metrics.put(MetricKeys.SQNR_DB, sqnrDb(referenceEnergy, errorEnergy));
            metrics.put(MetricKeys.MAX_ABS_ERROR, maxAbsError);
        }
        return metrics;
    }

    Map<String, Double> referenceMetrics() {
        return withReference ? taskMetrics(referenceCorrect, referenceCrossEntropySum) : Map.of();
    }

    /** Model − reference for each task metric both have. */
    Map<String, Double> deltas() {
        Map<String, Double> deltas = new LinkedHashMap<>();
        if (withReference) {
            Map<String, Double> own = taskMetrics(correct, crossEntropySum);
            Map<String, Double> reference = referenceMetrics();
            own.forEach((key, value) -> deltas.put(key, value - reference.get(key)));
        }
        return deltas;
    }

    private Map<String, Double> taskMetrics(long correctCount, double crossEntropy) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        switch (task) {
            case CLASSIFICATION -> metrics.put(MetricKeys.ACCURACY, ratio(correctCount, labelled));
            case LANGUAGE_MODEL -> {
                metrics.put(MetricKeys.PERPLEXITY, labelled == 0 ? Double.NaN : Math.exp(crossEntropy / labelled));
                metrics.put(MetricKeys.NEXT_TOKEN_ACCURACY, ratio(correctCount, labelled));
            }
        }
        return metrics;
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }

    /**
     * Signal-to-quantization-noise ratio in dB. Identical outputs have no noise: +Infinity, which is the exact
     * answer and which JSON output spells as the string "Infinity" rather than capping it at an arbitrary value.
     */
    static double sqnrDb(double signal, double noise) {
        if (noise == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(signal / noise);
    }
}
