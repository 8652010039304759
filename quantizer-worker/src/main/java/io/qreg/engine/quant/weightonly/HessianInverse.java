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
        double[] b = factorFromTheEnd(h, k);
        double[] v = invertLower(b, k);
        double[] u = b; // b is not needed any more: reuse its k² doubles for Uᵀ
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                u[i * k + j] = v[j * k + i];
            }
        }
        return u;
    }

    /** Lower-triangular B with H = BᵀB: column j of H's lower triangle gives row j of B, from j = k−1 down. */
    private static double[] factorFromTheEnd(double[] h, int k) {
        double[] a = new double[k * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(h, i * k, a, i * k, i + 1); // the lower triangle is all this reads
        }
        for (int j = k - 1; j >= 0; j--) {
            double pivot = a[j * k + j];
            if (!(pivot > 0) || !Double.isFinite(pivot)) {
                throw new ArithmeticException("the Hessian is not positive definite at input " + j);
            }
            double d = Math.sqrt(pivot);
            int row = j * k;
            for (int p = 0; p <= j; p++) {
                a[row + p] /= d; // B[j][0..j]; B[j][j] = d
            }
            final int jj = j;
            // Remove row j's contribution from the rows above: A[i][0..i] -= B[j][i] · B[j][0..i].
            IntStream.range(0, j).parallel().forEach(i -> {
                double f = a[jj * k + i];
                if (f != 0) {
                    int at = i * k;
                    for (int p = 0; p <= i; p++) {
                        a[at + p] -= f * a[jj * k + p];
                    }
                }
            });
        }
        return a;
    }

    /** V = B⁻¹ for lower-triangular B, row by row: V[i] = (e_i − Σ_{p<i} B[i][p] V[p]) / B[i][i]. */
    private static double[] invertLower(double[] b, int k) {
        double[] v = new double[k * k];
        for (int i = 0; i < k; i++) {
            int row = i * k;
            for (int p = 0; p < i; p++) {
                double f = b[row + p];
                if (f != 0) {
                    int at = p * k;
                    for (int j = 0; j <= p; j++) {
                        v[row + j] -= f * v[at + j];
                    }
                }
            }
            double d = b[row + i];
            for (int j = 0; j < i; j++) {
                v[row + j] /= d;
            }
            v[row + i] = 1 / d;
        }
        return v;
    }
}
