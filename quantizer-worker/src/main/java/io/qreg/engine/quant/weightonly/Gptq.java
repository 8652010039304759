package io.qreg.engine.quant.weightonly;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * GPTQ (Frantar et al. 2022) for one linear layer, writing MatMulNBits blocks.
 *
 * <p>W is [k, n] (MatMul's B): what the paper calls W's columns are its k input channels, here rows. Channels
 * are rounded one at a time; the error each leaves, divided by {@code U[i][i]}, is pushed onto the channels not
 * yet rounded through row i of U (the upper Cholesky factor of H⁻¹, {@link HessianInverse}), which minimises
 * the growth of {@code ||XW − XQ||²} given H = 2XᵀX/rows. Updates inside a batch of {@link #LAZY_BATCH} channels
 * are applied at once; the rest of W gets the batch's errors in one pass afterwards ("lazy batch updates").
 *
 * <p>The details the issue measured as mattering:
 * <ul>
 *   <li>dead inputs (H_ii = 0: the channel is always 0) get W row 0 and H_ii = 1;</li>
 *   <li>dampening {@code λ = damp · mean(diag H)} on the diagonal (×10 again if H is still not positive
 *       definite, up to a few times);</li>
 *   <li>each block's grid ({@link BlockGrid}: MatMulNBits' scale rule with the shrink search) is chosen when its
 *       first channel is reached, from the weights as the earlier errors left them, not from the originals;</li>
 *   <li>act-order rounds channels by decreasing H_ii; blocks stay contiguous in the original order (the format
 *       has no group index), so a block's grid is fixed when its first channel in that order comes up.</li>
 * </ul>
 */
public final class Gptq {

    static final int LAZY_BATCH = 128;
    private static final int DAMP_RETRIES = 4;

    private Gptq() {
    }

    /**
     * @param weight [k, n] row-major; not modified
     * @param inputs the layer's {@link LayerInputs} (its H)
     */
    public static BlockQuantizedWeight quantize(float[] weight, int k, int n, LayerInputs inputs, int bits,
            int blockSize, boolean symmetric, double damp, boolean actOrder) {
        if (inputs.k() != k) {
            throw new IllegalArgumentException("the layer has " + k + " inputs but its statistics " + inputs.k());
        }
        double[] diag = new double[k];
        for (int i = 0; i < k; i++) {
            diag[i] = inputs.hessian()[i * k + i];
        }
        Integer[] order = new Integer[k];
        Arrays.setAll(order, i -> i);
        if (actOrder) {
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -diag[i])); // stable: ties keep index order
        }
        int[] perm = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
        int[] position = new int[k];
        for (int p = 0; p < k; p++) {
            position[perm[p]] = p;
        }
        // Permuted copies: W rows and H rows/columns in rounding order.
        float[] w = new float[k * n];
        double[] h = new double[k * k];
        double meanDiag = 0;
        for (int p = 0; p < k; p++) {
            int i = perm[p];
            boolean dead = diag[i] == 0;
            if (!dead) {
                System.arraycopy(weight, i * n, w, p * n, n);
            }
            for (int q = 0; q < k; q++) {
                h[p * k + q] = inputs.hessian()[i * k + perm[q]];
            }
            if (dead) {
                h[p * k + p] = 1;
            }
            meanDiag += h[p * k + p];
        }
        meanDiag /= k;
        double[] u = factor(h, k, damp * meanDiag);
        h = null; // k² doubles the rest of the run does not need

        int blocks = (k + blockSize - 1) / blockSize;
        int maxCode = (1 << bits) - 1;
        float[] scales = new float[n * blocks];
        int[] zeroPoints = new int[n * blocks];
        boolean[] ready = new boolean[blocks];
        int[] codes = new int[k * n];
        int lazy = Math.max(LAZY_BATCH, blockSize);
        for (int i1 = 0; i1 < k; i1 += lazy) {
            int i2 = Math.min(k, i1 + lazy);
            float[] err = new float[(i2 - i1) * n];
            for (int p = i1; p < i2; p++) {
                int original = perm[p];
                int b = original / blockSize;
                if (!ready[b]) {
                    chooseGrids(w, n, b, blockSize, k, position, bits, symmetric, blocks, scales, zeroPoints);
                    ready[b] = true;
                }
                double d = u[p * k + p];
                int row = p * n;
                int errRow = (p - i1) * n;
                for (int c = 0; c < n; c++) {
                    BlockGrid grid = new BlockGrid(scales[c * blocks + b], zeroPoints[c * blocks + b]);
                    float value = w[row + c];
                    int code = grid.code(value, maxCode);
                    codes[original * n + c] = code;
                    err[errRow + c] = (float) ((value - grid.dequantize(code)) / d);
                }
                for (int q = p + 1; q < i2; q++) {
                    float f = (float) u[p * k + q];
                    int at = q * n;
                    for (int c = 0; c < n; c++) {
                        w[at + c] -= f * err[errRow + c];
                    }
                }
            }
            final int from = i1;
            final int to = i2;
            IntStream.range(i2, k).parallel().forEach(q -> pushErrors(w, q * n, n, u, k, q, from, to, err));
        }
        return BlockQuantizedWeight.ofBlocks(codes, k, n, bits, blockSize, scales, symmetric ? null : zeroPoints);
    }

    /**
     * {@code w[at + c] −= Σ_{p ∈ [from, to)} U[p][q] · err[p − from][c]}: the batch's errors pushed onto row q, four
     * channels at a time so each load and store of the row serves four multiply-adds.
     */
    private static void pushErrors(float[] w, int at, int n, double[] u, int k, int q, int from, int to, float[] err) {
        int p = from;
        for (; p + 3 < to; p += 4) {
            float f0 = (float) u[p * k + q];
            float f1 = (float) u[(p + 1) * k + q];
            float f2 = (float) u[(p + 2) * k + q];
            float f3 = (float) u[(p + 3) * k + q];
            int e0 = (p - from) * n - at;
            int e1 = e0 + n;
            int e2 = e1 + n;
            int e3 = e2 + n;
            for (int c = at; c < at + n; c++) {
                w[c] -= f0 * err[e0 + c] + f1 * err[e1 + c] + f2 * err[e2 + c] + f3 * err[e3 + c];
            }
        }
        for (; p < to; p++) {
            float f = (float) u[p * k + q];
            int e = (p - from) * n - at;
            for (int c = at; c < at + n; c++) {
                w[c] -= f * err[e + c];
            }
        }
    }

    /** U of H + λI, retrying with ten times the dampening if rounding left H not positive definite. */
    private static double[] factor(double[] h, int k, double lambda) {
        double added = 0;
        double step = lambda > 0 ? lambda : 1e-6;
        for (int attempt = 0; ; attempt++) {
            for (int i = 0; i < k; i++) {
                h[i * k + i] += step - added;
            }
            added = step;
            try {
                return HessianInverse.upperCholeskyOfInverse(h, k);
            } catch (ArithmeticException e) {
                if (attempt == DAMP_RETRIES) {
                    throw new ArithmeticException(e.getMessage() + " even with dampening " + step);
                }
                step *= 10;
            }
        }
    }

    /** Every column's grid for block b, from the current (error-updated) weights of the block's channels. */
    private static void chooseGrids(float[] w, int n, int b, int blockSize, int k, int[] position, int bits,
            boolean symmetric, int blocks, float[] scales, int[] zeroPoints) {
        int start = b * blockSize;
        int count = Math.min(k, start + blockSize) - start;
        IntStream.range(0, n).parallel().forEach(c -> {
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                values[i] = w[position[start + i] * n + c];
            }
            BlockGrid grid = BlockGrid.search(values, 0, 1, count, bits, symmetric);
            scales[c * blocks + b] = grid.scale();
            zeroPoints[c * blocks + b] = grid.zeroPoint();
        });
    }
}
