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

    TensorObserver gram() {
        return values -> {
            check(values, (long) k * k, "Gram matrix");
            double[] g = gram;
            // Split over the cores by rows: k² additions per batch are a pass over 8·k² bytes.
            IntStream.range(0, k).parallel().forEach(i -> {
                int at = i * k;
                for (int j = 0; j < k; j++) {
                    g[at + j] += values[at + j];
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
     * H = 2·XᵀX / rows (symmetrised: GEMM may round the two triangles differently) and mean |x|; zeros if nothing
     * was observed. Call once: H is the accumulator's own array.
     */
    LayerInputs result() {
        double[] hessian = gram;
        gram = null;
        double[] meanAbs = new double[k];
        double factor = rows == 0 ? 0 : 2.0 / rows;
        for (int i = 0; i < k; i++) {
            meanAbs[i] = rows == 0 ? 0 : absSum[i] / rows;
            for (int j = i; j < k; j++) {
                double h = (hessian[i * k + j] + hessian[j * k + i]) * 0.5 * factor;
                hessian[i * k + j] = h;
                hessian[j * k + i] = h;
            }
        }
        return new LayerInputs(k, hessian, meanAbs, rows);
    }
}
