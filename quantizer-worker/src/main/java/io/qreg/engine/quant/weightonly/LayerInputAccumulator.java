package io.qreg.engine.quant.weightonly;

import io.qreg.engine.calibration.TensorObserver;
import java.util.stream.IntStream;

/**
 * Accumulates {@link LayerInputs} batch by batch from the per-batch statistics {@link GramGraph} computes in ONNX
 * Runtime: each batch adds its XᵀX ([k, k] floats, summed there over the batch's rows), its Σ|x| per channel and
 * its row count, in double, so precision does not degrade with the number of samples. The three arrive as three
 * outputs of the same run, each through its own {@link TensorObserver}.
 */
final class LayerInputAccumulator {

    private final int k;
    /** Σ XᵀX over the batches so far, row-major [k, k]; becomes H in place. */
    private double[] gram;
    private final double[] absSum;
    private long rows;

    LayerInputAccumulator(int k) {
        this.k = k;
        this.gram = new double[k * k];
        this.absSum = new double[k];
    }

    /**
     * The heap one accumulator holds for a layer of k inputs: its k² doubles, which become H without a copy. (One
     * batch's Gram matrix is also copied out of ONNX Runtime as floats while it is added: 4·k², one at a time.)
     */
    static long bytes(int k) {
        return 8L * k * k + 16L * k;
    }

    /** One block of the batch's XᵀX, [rows, cols] at (row0, col0), on or above the diagonal. */
    TensorObserver gram(int row0, int rows, int col0, int cols) {
        return values -> {
            check(values, (long) rows * cols, "Gram block");
            double[] g = gram;
            // Split over the cores by rows: the additions are a pass over the block's share of 8·k² bytes.
            IntStream.range(0, rows).parallel().forEach(i -> {
                int at = (row0 + i) * k + col0;
                int from = i * cols;
                for (int j = 0; j < cols; j++) {
                    g[at + j] += values[from + j];
                }
            });
        };
    }

    TensorObserver absSum() {
        return values -> {
            check(values, k, "magnitude sum");
            for (int i = 0; i < k; i++) {
                absSum[i] += values[i];
            }
        };
    }

    /** The [rows, k] shape of the batch's 2-D view. */
    TensorObserver shape() {
        return values -> {
            check(values, 2, "shape");
            if ((int) values[1] != k) {
                throw new IllegalStateException("a layer input of width " + (int) values[1] + " is not rows of " + k);
            }
            rows += (long) values[0];
        };
    }

    private void check(float[] values, long expected, String what) {
        if (values.length != expected) {
            throw new IllegalStateException("the capture gave a " + what + " of " + values.length + " values for a"
                    + " layer of " + k + " inputs");
        }
    }

    /**
     * H = 2·XᵀX / rows, from the upper triangle (the blocks below the diagonal are never computed) mirrored onto the
     * lower, and mean |x|; zeros if nothing was observed. Call once: H is the accumulator's own array.
     */
    LayerInputs result() {
        double[] hessian = gram;
        gram = null;
        double[] meanAbs = new double[k];
        double factor = rows == 0 ? 0 : 2.0 / rows;
        for (int i = 0; i < k; i++) {
            meanAbs[i] = rows == 0 ? 0 : absSum[i] / rows;
        }
        // Tile by tile, so the column-wise writes of the mirror stay in cache.
        for (int i0 = 0; i0 < k; i0 += MIRROR_TILE) {
            for (int j0 = i0; j0 < k; j0 += MIRROR_TILE) {
                for (int i = i0; i < Math.min(k, i0 + MIRROR_TILE); i++) {
                    for (int j = Math.max(i, j0); j < Math.min(k, j0 + MIRROR_TILE); j++) {
                        double h = hessian[i * k + j] * factor;
                        hessian[i * k + j] = h;
                        hessian[j * k + i] = h;
                    }
                }
            }
        }
        return new LayerInputs(k, hessian, meanAbs, rows);
    }

    private static final int MIRROR_TILE = 64;
}
