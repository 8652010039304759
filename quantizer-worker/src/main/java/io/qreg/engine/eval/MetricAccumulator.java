package io.qreg.engine.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Running sums for one group of samples (the whole dataset or one slice), turned into metrics at the end.
 * Sums rather than stored outputs keep memory independent of the vocabulary; the one exception is the KL
 * divergence of each position, kept as a float (4 bytes a position) because its percentiles need them all.
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
    private final CalibrationBins calibration = new CalibrationBins();
    private final CalibrationBins referenceCalibration = new CalibrationBins();
    private final Map<Long, long[]> flipsByClass = new TreeMap<>();
    private final FloatSeries klDivergences = new FloatSeries();
    private long sameTop;
    private long deltaPCount;
    private double deltaPSquares;

    MetricAccumulator(EvaluationTask task, boolean withReference) {
        this.task = task;
        this.withReference = withReference;
    }

    void addSample() {
        samples++;
    }

    void addPosition(PositionScore p) {
        positions++;
        boolean hasLabel = p.label() >= 0;
        if (hasLabel) {
            labelled++;
            if (p.predicted() == p.label()) {
                correct++;
            }
            crossEntropySum += p.crossEntropy();
        }
        if (task == EvaluationTask.CLASSIFICATION && hasLabel) {
            calibration.add(p.confidence(), p.predicted() == p.label());
        }
        if (!withReference) {
            return;
        }
        if (hasLabel) {
            if (p.referencePredicted() == p.label()) {
                referenceCorrect++;
            }
            referenceCrossEntropySum += p.referenceCrossEntropy();
            if (task == EvaluationTask.CLASSIFICATION) {
                referenceCalibration.add(p.referenceConfidence(), p.referencePredicted() == p.label());
            }
        }
        if (p.predicted() == p.referencePredicted()) {
            agreements++;
        }
        referenceEnergy += p.referenceSquares();
        errorEnergy += p.errorSquares();
        maxAbsError = Math.max(maxAbsError, p.maxAbsError());
        if (task == EvaluationTask.CLASSIFICATION) {
            // Grouped by the true class; a sample without a label by the class the reference gives it.
            long classId = hasLabel ? p.label() : p.referencePredicted();
            long[] counts = flipsByClass.computeIfAbsent(classId, k -> new long[2]);
            counts[0]++;
            if (p.predicted() != p.referencePredicted()) {
                counts[1]++;
            }
        }
        if (!Double.isNaN(p.klDivergence())) {
            klDivergences.add(p.klDivergence());
            if (p.predicted() == p.referencePredicted()) {
                sameTop++;
            }
        }
        if (!Double.isNaN(p.deltaP())) {
            deltaPCount++;
            deltaPSquares += p.deltaP() * p.deltaP();
        }
    }

    int samples() {
        return samples;
    }

    long positions() {
        return positions;
    }

    Map<String, Double> metrics() {
        Map<String, Double> metrics = taskMetrics(correct, crossEntropySum, calibration);
        if (withReference) {
            metrics.put(MetricKeys.TOP1_AGREEMENT, ratio(agreements, positions));
            metrics.put(MetricKeys.SQNR_DB, sqnrDb(referenceEnergy, errorEnergy));
            metrics.put(MetricKeys.MAX_ABS_ERROR, maxAbsError);
            switch (task) {
                case CLASSIFICATION -> metrics.put(MetricKeys.FLIP_RATE, ratio(positions - agreements, positions));
                case LANGUAGE_MODEL -> {
                    double[] tail = klDivergences.percentiles(0.99, 0.999);
                    metrics.put(MetricKeys.MEAN_KLD, klDivergences.mean());
                    metrics.put(MetricKeys.KLD_P99, tail[0]);
                    metrics.put(MetricKeys.KLD_P999, tail[1]);
                    metrics.put(MetricKeys.RMS_DELTA_P, deltaPCount == 0 ? Double.NaN
                            : Math.sqrt(deltaPSquares / deltaPCount));
                    metrics.put(MetricKeys.SAME_TOP_TOKEN, ratio(sameTop, klDivergences.size()));
                }
                case EMBEDDING -> throw new IllegalStateException("embeddings are scored by EmbeddingScorer");
            }
        }
        return metrics;
    }

    Map<String, Double> referenceMetrics() {
        return withReference ? taskMetrics(referenceCorrect, referenceCrossEntropySum, referenceCalibration)
                : Map.of();
    }

    /** Model − reference for each task metric both have. */
    Map<String, Double> deltas() {
        Map<String, Double> deltas = new LinkedHashMap<>();
        if (withReference) {
            Map<String, Double> own = taskMetrics(correct, crossEntropySum, calibration);
            Map<String, Double> reference = referenceMetrics();
            own.forEach((key, value) -> deltas.put(key, value - reference.get(key)));
        }
        return deltas;
    }

    /** Per class, how often the model's prediction differs from the reference's (classification with one). */
    Map<Long, ClassFlips> flipsByClass() {
        Map<Long, ClassFlips> flips = new TreeMap<>();
        flipsByClass.forEach((id, counts) -> flips.put(id, new ClassFlips(id, counts[0], counts[1])));
        return flips;
    }

    private Map<String, Double> taskMetrics(long correctCount, double crossEntropy, CalibrationBins bins) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        switch (task) {
            case CLASSIFICATION -> {
                metrics.put(MetricKeys.ACCURACY, ratio(correctCount, labelled));
                metrics.put(MetricKeys.EXPECTED_CALIBRATION_ERROR, bins.expectedCalibrationError());
            }
            case LANGUAGE_MODEL -> {
                metrics.put(MetricKeys.PERPLEXITY, labelled == 0 ? Double.NaN : Math.exp(crossEntropy / labelled));
                metrics.put(MetricKeys.NEXT_TOKEN_ACCURACY, ratio(correctCount, labelled));
            }
            case EMBEDDING -> throw new IllegalStateException("embeddings are scored by EmbeddingScorer");
        }
        return metrics;
    }

    static double ratio(long part, long whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }

    /**
     * Signal-to-quantization-noise ratio in dB. Identical outputs have no noise: +Infinity, which is the exact
     * answer, not capped at an arbitrary value: the worker protocol spells it as the string "Infinity", the CLI's
     * {@code --json} as null with a note beside it ({@code io.qreg.worker.cli.CliJson}).
     */
    static double sqnrDb(double signal, double noise) {
        if (noise == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(signal / noise);
    }
}
