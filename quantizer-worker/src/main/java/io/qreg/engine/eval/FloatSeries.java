package io.qreg.engine.eval;

import java.util.Arrays;

/**
 * Per-position values kept for percentiles (which, unlike means, need every value): a growable float array,
 * 4 bytes a position, plus a double sum so the mean does not suffer from float rounding.
 */
final class FloatSeries {

    private float[] values = new float[256];
    private int size;
    private double sum;

    void add(double value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = (float) value;
        sum += value;
    }

    int size() {
        return size;
    }

    /** The mean of the values added, NaN when none were. */
    double mean() {
        return size == 0 ? Double.NaN : sum / size;
    }

    /** The percentiles at the given fractions (0..1), sorting a copy once; NaN each when empty. */
    double[] percentiles(double... fractions) {
        float[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        double[] out = new double[fractions.length];
        for (int i = 0; i < fractions.length; i++) {
            out[i] = percentile(sorted, fractions[i]);
        }
        return out;
    }

    /**
     * Linear interpolation between the closest ranks, {@code rank = fraction * (n - 1)} — numpy's default and
     * what llama.cpp's perplexity tool prints as "99.0% KLD".
     */
    static double percentile(float[] sorted, double fraction) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double rank = Math.min(1, Math.max(0, fraction)) * (sorted.length - 1);
        int lower = (int) Math.floor(rank);
        int upper = Math.min(lower + 1, sorted.length - 1);
        return sorted[lower] + (rank - lower) * ((double) sorted[upper] - sorted[lower]);
    }
}
