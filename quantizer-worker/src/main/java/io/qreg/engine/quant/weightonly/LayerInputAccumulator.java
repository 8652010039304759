package io.qreg.engine.quant.weightonly;

import io.qreg.engine.calibration.TensorObserver;
import java.util.stream.IntStream;

/**
 * Accumulates {@link LayerInputs} batch by batch: each batch of the tensor feeding a layer, read as rows of k
 * values (the last axis is the input channel, every other axis a row), adds its XᵀX and Σ|x| and is dropped.
 *
 * <p>Rows go through in chunks: a chunk is transposed once, then each row i of the Gram matrix gets
 * {@code Σ_r x_ri · x_r[i..k)} as a run of contiguous multiply-adds (which the JIT vectorizes), only the upper
 * triangle, split over the cores. Non-finite values are counted as 0 so one bad sample cannot poison H.
 */
final class LayerInputAccumulator implements TensorObserver {

    private static final int CHUNK_ROWS = 64;

    private final int k;
    private final double[] gram;
    private final double[] absSum;
    private long rows;

    LayerInputAccumulator(int k) {
        this.k = k;
        this.gram = new double[k * k];
        this.absSum = new double[k];
    }

    @Override
    public void observe(float[] values) {
        if (values.length % k != 0) {
            throw new IllegalStateException("a layer input of " + values.length + " values is not rows of " + k);
        }
        int total = values.length / k;
        double[] chunk = new double[CHUNK_ROWS * k];
        double[] transposed = new double[k * CHUNK_ROWS];
        for (int start = 0; start < total; start += CHUNK_ROWS) {
            int count = Math.min(CHUNK_ROWS, total - start);
            for (int r = 0; r < count; r++) {
                int from = (start + r) * k;
                for (int i = 0; i < k; i++) {
                    float v = values[from + i];
                    double x = Float.isFinite(v) ? v : 0;
                    chunk[r * k + i] = x;
                    transposed[i * CHUNK_ROWS + r] = x;
                    absSum[i] += Math.abs(x);
                }
            }
            IntStream.range(0, k).parallel().forEach(i -> addRow(i, chunk, transposed, count));
        }
        rows += total;
    }

    private void addRow(int i, double[] chunk, double[] transposed, int count) {
        int at = i * k;
        for (int r = 0; r < count; r++) {
            double a = transposed[i * CHUNK_ROWS + r];
            if (a == 0) {
                continue;
            }
            int from = r * k;
            for (int j = i; j < k; j++) {
                gram[at + j] += a * chunk[from + j];
            }
        }
    }

    /**
     * H = 2·XᵀX / rows (both triangles filled) and mean |x|; zeros if nothing was observed. Finishes the
     * accumulator: H is built in place of the Gram matrix, so no second k² array is ever allocated.
     */
    LayerInputs result() {
        double[] meanAbs = new double[k];
        double factor = rows == 0 ? 0 : 2.0 / rows;
        for (int i = 0; i < k; i++) {
            meanAbs[i] = rows == 0 ? 0 : absSum[i] / rows;
            for (int j = i; j < k; j++) {
                double h = gram[i * k + j] * factor;
                gram[i * k + j] = h;
                gram[j * k + i] = h;
            }
        }
        return new LayerInputs(k, gram, meanAbs, rows);
    }
}
