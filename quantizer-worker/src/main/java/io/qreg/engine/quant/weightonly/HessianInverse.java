package io.qreg.engine.quant.weightonly;

import java.util.stream.IntStream;

/**
 * GPTQ's view of H⁻¹: the upper-triangular U with {@code H⁻¹ = UᵀU} (what the reference takes as
 * {@code cholesky(H⁻¹, upper=True)}). Row i of U holds, scaled, how rounding input channel i should move the
 * channels after it.
 *
 * <p>It never forms H⁻¹. With J the index reversal, factor {@code JHJ = LLᵀ} (L lower, an ordinary Cholesky of H
 * with its index order reversed); then {@code H⁻¹ = J L⁻ᵀ L⁻¹ J = UᵀU} with {@code U = J L⁻¹ J}, upper triangular
 * with a positive diagonal, hence the unique factor. That is two k³/3-flop steps instead of the four of
 * factor-invert-multiply-factor. Row-major, {@code J A J} is the flat array reversed, so the work is done in one
 * k×k array: H reversed in, L, then L⁻¹ in place, then reversed out as U.
 *
 * <p>Both steps are blocked ({@link #BLOCK} channels at a time) so that the bulk of the work, k³/6 multiply-adds
 * each, is a rank-{@code BLOCK} update streamed through cache-sized tiles ({@link #multiplySubtract}) split over
 * the cores, instead of a pass over the whole k×k triangle per channel (memory-bound: 37 MB per channel at
 * k = 3072).
 */
final class HessianInverse {

    /** Channels per panel: the rank of each update, and the panel's rows per tile pass. */
    static final int BLOCK = 64;
    /** Columns per tile: a panel tile of BLOCK × TILE doubles (256 KiB) stays in L2 while rows stream past it. */
    private static final int TILE = 512;

    private HessianInverse() {
    }

    /**
     * @param h symmetric positive definite [k, k], row-major; not modified
     * @return U, row-major [k, k], zero below the diagonal
     * @throws ArithmeticException if H is not positive definite (the caller adds more dampening)
     */
    static double[] upperCholeskyOfInverse(double[] h, int k) {
        double[] a = new double[k * k];
        int last = k * k - 1;
        // JHJ's lower triangle; its strict upper triangle stays zero, which the inverse relies on.
        IntStream.range(0, k).parallel().forEach(i -> {
            for (int j = 0; j <= i; j++) {
                a[i * k + j] = h[last - (i * k + j)];
            }
        });
        factorLower(a, k);
        invertLower(a, k);
        for (int lo = 0, hi = last; lo < hi; lo++, hi--) {
            double t = a[lo];
            a[lo] = a[hi];
            a[hi] = t;
        }
        return a;
    }

    /** In place: the lower triangle of a becomes L with LLᵀ = A (right-looking, blocked). */
    private static void factorLower(double[] a, int k) {
        double[] panelT = new double[BLOCK * k];
        for (int start = 0; start < k; start += BLOCK) {
            final int j0 = start;
            final int j1 = Math.min(k, j0 + BLOCK);
            final int width = j1 - j0;
            factorDiagonalBlock(a, k, j0, j1);
            // The panel below the diagonal block: L21 = A21 · L11⁻ᵀ, row by row.
            IntStream.range(j1, k).parallel().forEach(i -> {
                int row = i * k;
                for (int j = j0; j < j1; j++) {
                    double s = a[row + j];
                    int rj = j * k;
                    for (int p = j0; p < j; p++) {
                        s -= a[row + p] * a[rj + p];
                    }
                    a[row + j] = s / a[rj + j];
                }
            });
            if (j1 == k) {
                break;
            }
            // A22 −= L21·L21ᵀ (lower triangle), with L21ᵀ copied out so each update is a run of contiguous rows.
            for (int i = j1; i < k; i++) {
                for (int p = 0; p < width; p++) {
                    panelT[p * k + i] = a[i * k + j0 + p];
                }
            }
            int rowBlocks = (k - j1 + BLOCK - 1) / BLOCK;
            IntStream.range(0, rowBlocks).parallel().forEach(rb -> {
                int r0 = j1 + rb * BLOCK;
                int r1 = Math.min(k, r0 + BLOCK);
                for (int c0 = j1; c0 < r1; c0 += TILE) {
                    for (int i = r0; i < r1; i++) {
                        int c1 = Math.min(i + 1, c0 + TILE);
                        if (c1 > c0) {
                            multiplySubtract(a, i * k, c0, c1, a, i * k + j0, panelT, 0, k, width);
                        }
                    }
                }
            });
        }
    }

    /** Unblocked Cholesky of the diagonal block [j0, j1), whose earlier panels' updates are already applied. */
    private static void factorDiagonalBlock(double[] a, int k, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            int rj = j * k;
            double s = a[rj + j];
            for (int p = j0; p < j; p++) {
                s -= a[rj + p] * a[rj + p];
            }
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new ArithmeticException("the Hessian is not positive definite at input " + (k - 1 - j));
            }
            double d = Math.sqrt(s);
            a[rj + j] = d;
            for (int i = j + 1; i < j1; i++) {
                int ri = i * k;
                double t = a[ri + j];
                for (int p = j0; p < j; p++) {
                    t -= a[ri + p] * a[rj + p];
                }
                a[ri + j] = t / d;
            }
        }
    }

    /**
     * In place: lower-triangular L (zero above the diagonal) becomes X = L⁻¹, a block of rows at a time. For rows
     * I = [i0, i1): {@code X[I][0, i0) = −L_II⁻¹ · (L[I][0, i0) · X[0, i0)[0, i0))} and {@code X_II = L_II⁻¹}; the
     * product is the bulk, tiled by columns over the cores.
     */
    private static void invertLower(double[] a, int k) {
        double[] t = new double[BLOCK * k];
        for (int start = 0; start < k; start += BLOCK) {
            final int i0 = start;
            final int i1 = Math.min(k, i0 + BLOCK);
            final int rows = i1 - i0;
            if (i0 > 0) {
                // T = L[I][0, i0) · X[0, i0)[0, i0): tile c of T's columns needs X rows p ≥ c only (X is lower).
                int tiles = (i0 + TILE / 2 - 1) / (TILE / 2);
                IntStream.range(0, tiles).parallel().forEach(tile -> {
                    int c0 = tile * (TILE / 2);
                    int c1 = Math.min(i0, c0 + TILE / 2);
                    for (int r = 0; r < rows; r++) {
                        java.util.Arrays.fill(t, r * k + c0, r * k + c1, 0.0);
                    }
                    for (int p0 = c0; p0 < i0; p0 += BLOCK) {
                        int np = Math.min(i0, p0 + BLOCK) - p0;
                        for (int r = 0; r < rows; r++) {
                            // multiplySubtract subtracts: T accumulates −L·X, which is what the solve below needs.
                            multiplySubtract(t, r * k, c0, c1, a, (i0 + r) * k + p0, a, p0 * k, k, np);
                        }
                    }
                });
                // X[i][0, i0) = (−T[i] − Σ_{q ∈ [i0, i)} L[i][q]·X[q][0, i0)) / L[i][i], in row order.
                for (int r = 0; r < rows; r++) {
                    int i = i0 + r;
                    int ri = i * k;
                    int tr = r * k;
                    for (int q = i0; q < i; q++) {
                        double f = a[ri + q];
                        int rq = q * k;
                        for (int j = 0; j < i0; j++) {
                            t[tr + j] -= f * a[rq + j];
                        }
                    }
                    double d = a[ri + i];
                    for (int j = 0; j < i0; j++) {
                        a[ri + j] = t[tr + j] / d;
                    }
                }
            }
            // X_II = L_II⁻¹ (unblocked; reads the block's L entries before overwriting them, row by row).
            for (int i = i0; i < i1; i++) {
                int ri = i * k;
                double d = a[ri + i];
                for (int j = i0; j < i; j++) {
                    double s = 0;
                    for (int q = j; q < i; q++) {
                        s += a[ri + q] * a[q * k + j];
                    }
                    t[j - i0] = -s / d;
                }
                for (int j = i0; j < i; j++) {
                    a[ri + j] = t[j - i0];
                }
                a[ri + i] = 1 / d;
            }
        }
    }

    /**
     * {@code c[cRow + j] −= Σ_{p < np} f[fFrom + p] · b[bFrom + p·stride + j]} for j in [j0, j1): a rank-np update
     * of one row segment, four p at a time so each load and store of c serves four multiply-adds.
     */
    static void multiplySubtract(double[] c, int cRow, int j0, int j1, double[] f, int fFrom, double[] b,
            int bFrom, int stride, int np) {
        int p = 0;
        for (; p + 3 < np; p += 4) {
            double f0 = f[fFrom + p];
            double f1 = f[fFrom + p + 1];
            double f2 = f[fFrom + p + 2];
            double f3 = f[fFrom + p + 3];
            int b0 = bFrom + p * stride - cRow;
            int b1 = b0 + stride;
            int b2 = b1 + stride;
            int b3 = b2 + stride;
            for (int j = cRow + j0; j < cRow + j1; j++) {
                c[j] -= f0 * b[b0 + j] + f1 * b[b1 + j] + f2 * b[b2 + j] + f3 * b[b3 + j];
            }
        }
        for (; p < np; p++) {
            double f0 = f[fFrom + p];
            int b0 = bFrom + p * stride - cRow;
            for (int j = cRow + j0; j < cRow + j1; j++) {
                c[j] -= f0 * b[b0 + j];
            }
        }
    }
}
