package io.qreg.engine.eval;

/**
 * Expected calibration error (Guo et al., 2017): predictions are put in {@value #BINS} equal-width bins by
 * their confidence (the largest softmax probability; bin b holds (b/15, (b+1)/15]), and ECE is
 * {@code sum_b (n_b / n) * |accuracy_b - mean confidence_b|}. 0 means the model is right exactly as often as it
 * claims; quantization often makes a classifier over- or under-confident while its accuracy barely moves.
 */
final class CalibrationBins {

    static final int BINS = 15;

    private final long[] counts = new long[BINS];
    private final long[] correct = new long[BINS];
    private final double[] confidence = new double[BINS];

    void add(double confidenceOfPrediction, boolean predictionCorrect) {
        if (Double.isNaN(confidenceOfPrediction)) {
            return;
        }
        int bin = bin(confidenceOfPrediction);
        counts[bin]++;
        confidence[bin] += confidenceOfPrediction;
        if (predictionCorrect) {
            correct[bin]++;
        }
    }

    static int bin(double confidence) {
        return Math.min(BINS - 1, Math.max(0, (int) Math.ceil(confidence * BINS) - 1));
    }

    /** The ECE in 0..1, NaN when nothing was added. */
    double expectedCalibrationError() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            if (counts[b] > 0) {
                double accuracy = (double) correct[b] / counts[b];
                double meanConfidence = confidence[b] / counts[b];
                ece += (double) counts[b] / total * Math.abs(accuracy - meanConfidence);
            }
        }
        return ece;
    }
}
