package io.qreg.engine.quant.weightonly.awq;

import io.qreg.engine.quant.weightonly.BlockQuantizedWeight;

/**
 * AWQ's scale search (Lin et al., 2023). Weights that meet large activations matter most; scaling an input channel's
 * weights up by s (and its activation down by s) shrinks their relative rounding error without changing the float
 * result. With s_x the per-input-channel mean |x| over the calibration rows, the search tries
 * {@code s = s_x^α / sqrt(max · min)} for α on a 20-point grid in [0, 1), quantizes diag(s)·W with round-to-nearest
 * (the requested bits, block size and symmetry) and keeps the α with the least output error
 * {@code ‖X·W − (X/s)·Q(diag(s)·W)‖²}. α = 0 is plain round-to-nearest, so the result is never worse than RTN on the
 * calibration rows.
 *
 * <p>The error is evaluated through the Gram matrix G = XᵀX (computed once, k × k): for Δ = W − diag(1/s)·Q,
 * ‖X·Δ‖² = Σ_columns Δᵀ·G·Δ, which costs k²·n per α instead of rows·k·n.
 */
public final class Awq {

    /** The α grid's size: α = 0, 1/20, …, 19/20. */
    public static final int GRID = 20;

    /** Floor on s_x^α before normalising, so channels that never fire do not make a zero scale. */
    private static final double MIN_SCALE = 1e-4;
    /** Output columns whose error is accumulated together, so each row of the Gram matrix is read once per tile. */
    private static final int COLUMN_TILE = 16;

    private Awq() {
    }

    /**
     * @param w the weight, row-major [k, n]
     * @param xRows calibration inputs, row-major [rows, k] (a bounded sample, e.g. at most 4096 rows)
     */
    public static AwqResult search(float[] w, int k, int n, float[] xRows, int rows, int bits, int blockSize,
            boolean symmetric) {
        if (w.length != k * n || xRows.length != rows * k || rows == 0) {
            throw new IllegalArgumentException("need w [" + k + ", " + n + "] and x [rows > 0, " + k + "], got "
                    + w.length + " and " + xRows.length + " elements");
        }
        return search(w, k, n, meanAbs(xRows, rows, k), gram(xRows, rows, k), bits, blockSize, symmetric);
    }

    /**
     * The same search from statistics captured while streaming over the calibration set: the mean |x| per input
     * channel and a Gram matrix of the inputs (any positive multiple of XᵀX, such as GPTQ's Hessian 2·XᵀX/rows,
     * picks the same α).
     */
    public static AwqResult search(float[] w, int k, int n, double[] meanAbs, double[] gram, int bits, int blockSize,
            boolean symmetric) {
        if (w.length != k * n || meanAbs.length != k || gram.length != (long) k * k) {
            throw new IllegalArgumentException("need w [" + k + ", " + n + "], " + k + " magnitudes and a " + k + "x"
                    + k + " Gram matrix");
        }
        AwqResult best = null;
        double rtnError = Double.NaN;
        for (int step = 0; step < GRID; step++) {
            double alpha = (double) step / GRID;
            float[] s = scales(meanAbs, alpha);
            BlockQuantizedWeight q = BlockQuantizedWeight.quantize(scaleRows(w, s, k, n), k, n, bits, blockSize,
                    symmetric);
            double error = outputError(w, q, s, gram, k, n);
            if (step == 0) {
                rtnError = error;
            }
            if (best == null || error < best.error()) {
                best = new AwqResult(s, alpha, q, error, rtnError);
            }
        }
        return new AwqResult(best.scales(), best.alpha(), best.quantized(), best.error(), rtnError);
    }

    /** s = max(s_x^α, 1e-4), divided by sqrt(max(s) · min(s)) so the scales centre on 1. */
    public static float[] scales(double[] meanAbs, double alpha) {
        double[] raw = new double[meanAbs.length];
        double max = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int j = 0; j < raw.length; j++) {
            raw[j] = Math.max(Math.pow(meanAbs[j], alpha), MIN_SCALE);
            max = Math.max(max, raw[j]);
            min = Math.min(min, raw[j]);
        }
        double norm = Math.sqrt(max * min);
        float[] s = new float[raw.length];
        for (int j = 0; j < raw.length; j++) {
            s[j] = (float) (raw[j] / norm);
        }
        return s;
    }

    /** diag(s)·W: row j (input channel j) times s_j, in float as the graph fold computes it. */
    public static float[] scaleRows(float[] w, float[] s, int k, int n) {
        float[] out = new float[k * n];
        for (int j = 0; j < k; j++) {
            for (int c = 0; c < n; c++) {
                out[j * n + c] = w[j * n + c] * s[j];
            }
        }
        return out;
    }

    static double[] meanAbs(float[] x, int rows, int k) {
        double[] sum = new double[k];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                sum[j] += Math.abs(x[r * k + j]);
            }
        }
        for (int j = 0; j < k; j++) {
            sum[j] /= rows;
        }
        return sum;
    }

    /** XᵀX, [k, k] row-major, in double. */
    static double[] gram(float[] x, int rows, int k) {
        double[] g = new double[k * k];
        double[] row = new double[k];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                row[j] = x[r * k + j];
            }
            for (int i = 0; i < k; i++) {
                double xi = row[i];
                if (xi == 0) {
                    continue;
                }
                int base = i * k;
                for (int j = i; j < k; j++) {
                    g[base + j] += xi * row[j];
                }
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                g[i * k + j] = g[j * k + i];
            }
        }
        return g;
    }

    /**
     * Σ over output columns of Δᵀ·G·Δ with Δ = W − diag(1/s)·dequant(Q): ‖X·W − (X/s)·Q‖². G is symmetric, so G·Δ is
     * accumulated row by row of G (Σ_i Δ_i·G[i, :]) for a tile of columns at a time: each row of G is read once per
     * tile instead of once per column (G is 8 MB at k = 1024), in loops the JIT vectorises.
     */
    static double outputError(float[] w, BlockQuantizedWeight q, float[] s, double[] gram, int k, int n) {
        float[] deq = q.dequantize();
        int tile = Math.min(n, COLUMN_TILE);
        double[] delta = new double[tile * k];
        double[] gDelta = new double[tile * k];
        double total = 0;
        for (int c0 = 0; c0 < n; c0 += tile) {
            int width = Math.min(tile, n - c0);
            for (int t = 0; t < width; t++) {
                for (int j = 0; j < k; j++) {
                    delta[t * k + j] = w[j * n + c0 + t] - (double) deq[j * n + c0 + t] / s[j];
                }
            }
            java.util.Arrays.fill(gDelta, 0, width * k, 0);
            for (int i = 0; i < k; i++) {
                int base = i * k;
                for (int t = 0; t < width; t++) {
                    double d = delta[t * k + i];
                    if (d == 0) {
                        continue;
                    }
                    int o = t * k;
                    for (int j = 0; j < k; j++) {
                        gDelta[o + j] += gram[base + j] * d;
                    }
                }
            }
            for (int j = 0; j < width * k; j++) {
                total += delta[j] * gDelta[j];
            }
        }
        return total;
    }
}
