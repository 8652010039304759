package io.qreg.engine.quant.weightonly;

import java.util.stream.IntStream;

/**
 * GPTQ's view of H⁻¹: the upper-triangular U with {@code H⁻¹ = UᵀU} (what the reference takes as
 * {@code cholesky(H⁻¹, upper=True)}). Row i of U holds, scaled, how rounding input channel i should move the
 * channels after it.
 *
 * <p>It never forms H⁻¹. Factor {@code H = BᵀB} with B lower triangular, working from the last channel up
 * (a Cholesky of H with its index order reversed); then {@code H⁻¹ = B⁻¹B⁻ᵀ}, so {@code U = (B⁻¹)ᵀ} is upper
 * triangular with a positive diagonal, hence the unique factor. That is two k³/6 steps instead of the four of
 * factor-invert-multiply-factor, and both are runs of contiguous multiply-adds over rows.
 */
final class HessianInverse {

    private HessianInverse() {
    }

    /**
     * @param h symmetric positive definite [k, k], row-major; not modified
     * @return U, row-major [k, k], zero below the diagonal
     * @throws ArithmeticException if H is not positive definite (the caller adds more dampening)
     */
    static double[] upperCholeskyOfInverse(double[] h, int k) {
        double[][] b = factorFromTheEnd(h, k);
        double[][] v = invertLower(b, k);
        double[] u = new double[k * k];
        for (int j = 0; j < k; j++) {
            double[] row = v[j];
            for (int i = 0; i <= j; i++) {
                u[i * k + j] = row[i];
            }
        }
        return u;
    }

    /**
     * Lower-triangular B with H = BᵀB, as rows of length i + 1 (separate arrays, so the JIT can vectorize the
     * row updates): column j of H's lower triangle gives row j of B, from j = k−1 down.
     */
    private static double[][] factorFromTheEnd(double[] h, int k) {
        double[][] a = new double[k][];
        for (int i = 0; i < k; i++) {
            a[i] = java.util.Arrays.copyOfRange(h, i * k, i * k + i + 1); // the lower triangle is all this reads
        }
        for (int j = k - 1; j >= 0; j--) {
            double[] bj = a[j];
            double pivot = bj[j];
            if (!(pivot > 0) || !Double.isFinite(pivot)) {
                throw new ArithmeticException("the Hessian is not positive definite at input " + j);
            }
            double d = Math.sqrt(pivot);
            for (int p = 0; p <= j; p++) {
                bj[p] /= d; // B[j][0..j]; B[j][j] = d
            }
            // Remove row j's contribution from the rows above: A[i][0..i] -= B[j][i] · B[j][0..i].
            IntStream.range(0, j).parallel().forEach(i -> {
                double f = bj[i];
                if (f != 0) {
                    double[] ai = a[i];
                    for (int p = 0; p <= i; p++) {
                        ai[p] -= f * bj[p];
                    }
                }
            });
        }
        return a;
    }

    private static final int COLUMN_BLOCK = 64;

    /**
     * V = B⁻¹ for lower-triangular B: V[i] = (e_i − Σ_{p<i} B[i][p] V[p]) / B[i][i]. Column j of V reads only
     * column j of earlier rows, so blocks of columns are computed in parallel, each row by row.
     */
    private static double[][] invertLower(double[][] b, int k) {
        double[][] v = new double[k][];
        for (int i = 0; i < k; i++) {
            v[i] = new double[i + 1];
        }
        int blocks = (k + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        IntStream.range(0, blocks).parallel().forEach(block -> {
            int c0 = block * COLUMN_BLOCK;
            int c1 = Math.min(k, c0 + COLUMN_BLOCK);
            for (int i = c0; i < k; i++) {
                double[] vi = v[i];
                double[] bi = b[i];
                for (int p = c0; p < i; p++) {
                    double f = bi[p];
                    if (f != 0) {
                        double[] vp = v[p];
                        int end = Math.min(c1, p + 1);
                        for (int j = c0; j < end; j++) {
                            vi[j] -= f * vp[j];
                        }
                    }
                }
                double d = bi[i];
                int end = Math.min(c1, i);
                for (int j = c0; j < end; j++) {
                    vi[j] /= d;
                }
                if (i < c1) {
                    vi[i] = 1 / d;
                }
            }
        });
        return v;
    }
}
