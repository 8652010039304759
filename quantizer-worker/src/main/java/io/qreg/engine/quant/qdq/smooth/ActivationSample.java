package io.qreg.engine.quant.qdq.smooth;

import io.qreg.engine.calibration.TensorObserver;
import java.util.Arrays;
import java.util.Random;

/**
 * What {@code --smooth-quant auto} needs of one activation from the calibration run: per channel (last axis) the
 * minimum, maximum and largest |x| over every row, and a uniform sample of at most {@code capacity} whole rows
 * (reservoir sampling with a fixed seed, so a run is repeatable). The extremes give the per-tensor range the static
 * pass will calibrate for X/s exactly; the rows are what each candidate α is tried on. Memory is bounded by the
 * capacity whatever the number of samples or tokens.
 */
final class ActivationSample implements TensorObserver {

    /** About 4 MiB of rows per activation, at least 128 rows and at most 512. */
    static final int FLOAT_BUDGET = 1 << 20;
    static final int MIN_ROWS = 128;
    static final int MAX_ROWS = 512;

    private final int channels;
    private final float[] min;
    private final float[] max;
    private final float[] rows;
    private final int capacity;
    private final Random random = new Random(13);
    private long seen;

    ActivationSample(int channels) {
        this.channels = channels;
        this.capacity = Math.max(MIN_ROWS, Math.min(MAX_ROWS, FLOAT_BUDGET / channels));
        this.min = new float[channels];
        this.max = new float[channels];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        this.rows = new float[capacity * channels];
    }

    @Override
    public void observe(float[] values) {
        if (values.length % channels != 0) {
            throw new IllegalStateException(values.length + " values do not split into rows of " + channels);
        }
        for (int r = 0; r < values.length / channels; r++) {
            int offset = r * channels;
            for (int c = 0; c < channels; c++) {
                float v = values[offset + c];
                if (v < min[c]) { // comparisons are false for NaN: NaNs are ignored
                    min[c] = v;
                }
                if (v > max[c]) {
                    max[c] = v;
                }
            }
            long slot = seen < capacity ? seen : (long) (random.nextDouble() * (seen + 1));
            if (slot < capacity) {
                System.arraycopy(values, offset, rows, (int) slot * channels, channels);
            }
            seen++;
        }
    }

    int channels() {
        return channels;
    }

    /** The number of rows held: all seen, up to the capacity. */
    int rowCount() {
        return (int) Math.min(seen, capacity);
    }

    /** The sampled rows, row-major [rowCount, channels] (not a copy: callers only read it). */
    float[] rows() {
        return rows;
    }

    /** Per channel, the least value seen (0 where none was). */
    float[] min() {
        return finite(min);
    }

    /** Per channel, the largest value seen (0 where none was). */
    float[] max() {
        return finite(max);
    }

    /** A copy with the untouched start values (±infinity: a channel never seen, or only NaN) as 0. */
    private static float[] finite(float[] extremes) {
        float[] copy = extremes.clone();
        for (int c = 0; c < copy.length; c++) {
            copy[c] = Float.isInfinite(copy[c]) ? 0f : copy[c];
        }
        return copy;
    }

    /** Per channel, the largest |x| seen: what the smoothing factors balance. */
    float[] absMax() {
        float[] abs = new float[channels];
        float[] lo = min();
        float[] hi = max();
        for (int c = 0; c < channels; c++) {
            abs[c] = Math.max(Math.abs(lo[c]), Math.abs(hi[c]));
        }
        return abs;
    }
}
