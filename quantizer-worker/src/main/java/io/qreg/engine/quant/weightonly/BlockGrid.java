package io.qreg.engine.quant.weightonly;

/**
 * The grid of one block of one output column: scale and zero point chosen the way GPTQ's reference quantizer
 * does (a search over shrunken ranges), on MatMulNBits' own scale rule.
 *
 * <p>Symmetric starts from {@code scale = m / −2^(bits−1)} with m the block's largest-magnitude value (like
 * {@link BlockQuantizedWeight#quantize}), asymmetric from [min(block, 0), max(block, 0)] over the full code
 * range; each then tries the range shrunk by 1.00, 0.95, … 0.25, then by the 0.01 steps within 0.04 of the
 * best of those (of the reference's 1.00, 0.99, … 0.21), and keeps the one with the least
 * {@code Σ |w − Q(w)|^2.4} (the reference's {@code norm = 2.4}): clipping a lone outlier often rounds the
 * rest of the block finer.
 */
record BlockGrid(float scale, int zeroPoint) {

    private static final double NORM = 2.4;
    private static final int SHRINK_STEPS = 80;
    private static final int COARSE = 5;
    /** |error| / scale up to TABLE_MAX is looked up (linear interpolation): Math.pow per element is too slow. */
    private static final double TABLE_MAX = 64;
    private static final int TABLE_PER_UNIT = 256;
    private static final double[] POW_TABLE = table();

    private static double[] table() {
        double[] t = new double[(int) (TABLE_MAX * TABLE_PER_UNIT) + 2];
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.pow((double) i / TABLE_PER_UNIT, NORM);
        }
        return t;
    }

    /** The code of a value on this grid, clamped to [0, 2^bits − 1]. */
    int code(float value, int maxCode) {
        return (int) Math.max(0, Math.min(maxCode, Math.round(value / scale) + zeroPoint));
    }

    float dequantize(int code) {
        return (code - zeroPoint) * scale;
    }

    /** The grid for {@code values[from + i·stride]}, i in [0, count). */
    static BlockGrid search(float[] values, int from, int stride, int count, int bits, boolean symmetric) {
        int mid = 1 << (bits - 1);
        int maxCode = (1 << bits) - 1;
        float extreme = 0f;
        float min = 0f;
        float max = 0f;
        for (int i = 0; i < count; i++) {
            float v = values[from + i * stride];
            if (Math.abs(v) > Math.abs(extreme)) {
                extreme = v;
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (symmetric ? extreme == 0f : max == min) {
            return new BlockGrid(1f, symmetric ? mid : clampedZero(0f, 1f, maxCode));
        }
        // Every fifth shrink step first, then the four steps either side of the best: 25 trials instead of 80.
        int bestStep = 0;
        double bestError = Double.POSITIVE_INFINITY;
        for (int step = 0; step < SHRINK_STEPS; step += COARSE) {
            double error = grid(step, extreme, min, max, mid, maxCode, symmetric).error(values, from, stride, count,
                    maxCode);
            if (error < bestError) {
                bestError = error;
                bestStep = step;
            }
        }
        int centre = bestStep;
        for (int step = Math.max(0, centre - COARSE + 1); step < Math.min(SHRINK_STEPS, centre + COARSE); step++) {
            if (step == centre) {
                continue;
            }
            double error = grid(step, extreme, min, max, mid, maxCode, symmetric).error(values, from, stride, count,
                    maxCode);
            if (error < bestError) {
                bestError = error;
                bestStep = step;
            }
        }
        return grid(bestStep, extreme, min, max, mid, maxCode, symmetric);
    }

    private static BlockGrid grid(int step, float extreme, float min, float max, int mid, int maxCode,
            boolean symmetric) {
        float shrink = 1f - step / 100f;
        if (symmetric) {
            return new BlockGrid(extreme * shrink / -mid, mid);
        }
        float lo = min * shrink;
        float scale = (max * shrink - lo) / maxCode;
        return new BlockGrid(scale, clampedZero(lo, scale, maxCode));
    }

    private static int clampedZero(float min, float scale, int maxCode) {
        return (int) Math.max(0, Math.min(maxCode, Math.round(-min / scale)));
    }

    /** Σ |w − Q(w)|^2.4 over the block, as |scale|^2.4 · Σ (|w − Q(w)| / |scale|)^2.4. */
    private double error(float[] values, int from, int stride, int count, int maxCode) {
        double unit = Math.abs(scale);
        double sum = 0;
        for (int i = 0; i < count; i++) {
            float v = values[from + i * stride];
            double t = Math.abs(v - dequantize(code(v, maxCode))) / unit;
            if (t < TABLE_MAX) {
                double x = t * TABLE_PER_UNIT;
                int at = (int) x;
                double f = x - at;
                sum += POW_TABLE[at] + f * (POW_TABLE[at + 1] - POW_TABLE[at]);
            } else {
                sum += Math.pow(t, NORM);
            }
        }
        return sum * Math.pow(unit, NORM);
    }
}
