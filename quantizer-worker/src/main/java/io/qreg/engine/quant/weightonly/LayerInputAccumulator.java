package io.qreg.engine.quant.weightonly;

import io.qreg.engine.calibration.TensorObserver;
import java.util.stream.IntStream;

/**
 * Accumulates {@link LayerInputs} batch by batch: each batch of the tensor feeding a layer, read as rows of k
 * values (the last axis is the input channel, every other axis a row), adds its XᵀX and Σ|x| and is dropped.
 *
 * <p>Rows go through in chunks: a chunk is transposed once, then each row i of the Gram matrix gets
 * {@code Σ_r x_ri · x_r[i..k)} as a run of contiguous multiply-adds (which the JIT vectorizes), only the upper
 * triangle, four rows at a time, split over the cores. The sums run in float for up to {@code FLUSH_ROWS} rows
 * (SIMD is twice as wide) and are then added into double, so precision does not degrade with the number of
 * samples. Non-finite values are counted as 0 so one bad sample cannot poison H.
 */
final class LayerInputAccumulator implements TensorObserver {

    private static final int CHUNK_ROWS = 64;
    /** Rows summed in float before they are added into the double Gram matrix. */
    private static final int FLUSH_ROWS = 1024;

    private final int k;
    /** Upper triangle of XᵀX by rows: gram[i][j − i] for j ≥ i. */
    private final double[][] gram;
    private final float[][] partial;
    private final double[] absSum;
    private final float[][] chunk;
    private final float[][] transposed;
    private long rows;
    private int unflushed;

    LayerInputAccumulator(int k) {
        this.k = k;
        this.gram = new double[k][];
        this.partial = new float[k][];
        for (int i = 0; i < k; i++) {
            gram[i] = new double[k - i];
            partial[i] = new float[k - i];
        }
        this.absSum = new double[k];
        this.chunk = new float[CHUNK_ROWS][k];
        this.transposed = new float[k][CHUNK_ROWS];
    }

    /** The bytes one accumulator holds for a layer of k inputs (both triangles' worth of double + float). */
    static long bytes(int k) {
        return 6L * k * k + 8L * CHUNK_ROWS * k + 8L * k;
    }

    @Override
    public void observe(float[] values) {
        if (values.length % k != 0) {
            throw new IllegalStateException("a layer input of " + values.length + " values is not rows of " + k);
        }
        int total = values.length / k;
        for (int start = 0; start < total; start += CHUNK_ROWS) {
            int count = Math.min(CHUNK_ROWS, total - start);
            for (int r = 0; r < count; r++) {
                int from = (start + r) * k;
                float[] row = chunk[r];
                for (int i = 0; i < k; i++) {
                    float v = values[from + i];
                    float x = Float.isFinite(v) ? v : 0f;
                    row[i] = x;
                    transposed[i][r] = x;
                    absSum[i] += Math.abs(x);
                }
            }
            int quads = (k + 3) / 4;
            IntStream.range(0, quads).parallel().forEach(q -> addRows(4 * q, count));
            unflushed += count;
            if (unflushed >= FLUSH_ROWS) {
                flush();
            }
        }
        rows += total;
    }

    /** Rows i0..i0+3 of the upper triangle: four rows share each load of a chunk row. */
    private void addRows(int i0, int count) {
        int last = Math.min(k, i0 + 4);
        for (int r = 0; r < count; r++) {
            float[] x = chunk[r];
            // The triangle's corner, where the four rows do not all have entries.
            for (int i = i0; i < last; i++) {
                float a = transposed[i][r];
                float[] p = partial[i];
                for (int j = i; j < last; j++) {
                    p[j - i] += a * x[j];
                }
            }
            if (last - i0 < 4) {
                continue;
            }
            float a0 = transposed[i0][r];
            float a1 = transposed[i0 + 1][r];
            float a2 = transposed[i0 + 2][r];
            float a3 = transposed[i0 + 3][r];
            float[] p0 = partial[i0];
            float[] p1 = partial[i0 + 1];
            float[] p2 = partial[i0 + 2];
            float[] p3 = partial[i0 + 3];
            for (int j = last; j < k; j++) {
                float xj = x[j];
                p0[j - i0] += a0 * xj;
                p1[j - i0 - 1] += a1 * xj;
                p2[j - i0 - 2] += a2 * xj;
                p3[j - i0 - 3] += a3 * xj;
            }
        }
    }

    private void flush() {
        IntStream.range(0, k).parallel().forEach(i -> {
            double[] g = gram[i];
            float[] p = partial[i];
            for (int j = 0; j < p.length; j++) {
                g[j] += p[j];
                p[j] = 0f;
            }
        });
        unflushed = 0;
    }

    /** H = 2·XᵀX / rows (both triangles filled) and mean |x|; zeros if nothing was observed. */
    LayerInputs result() {
        flush();
        double[] hessian = new double[k * k];
        double[] meanAbs = new double[k];
        double factor = rows == 0 ? 0 : 2.0 / rows;
        for (int i = 0; i < k; i++) {
            meanAbs[i] = rows == 0 ? 0 : absSum[i] / rows;
            double[] g = gram[i];
            gram[i] = null; // freed row by row as H fills
            partial[i] = null;
            for (int j = i; j < k; j++) {
                double h = g[j - i] * factor;
                hessian[i * k + j] = h;
                hessian[j * k + i] = h;
            }
        }
        return new LayerInputs(k, hessian, meanAbs, rows);
    }
}
