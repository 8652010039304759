package io.qreg.engine.trainedlm;

import java.util.stream.IntStream;

/**
 * The float kernels of the MLP language model's forward and backward passes, on row-major arrays. Loops run with the
 * innermost index contiguous so the JIT vectorises them; the large ones split their rows over the common pool. Each
 * output element is always summed in the same order, so results do not depend on the thread count.
 */
final class Dense {

    static final float LN_EPSILON = 1e-5f;
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final int PARTS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private Dense() {
    }

    interface Range {
        void run(int from, int to);
    }

    /** Runs {@code body} over [0, count) in up to one contiguous part per core. */
    static void parallel(int count, Range body) {
        int parts = Math.min(PARTS, count);
        if (parts <= 1) {
            body.run(0, count);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(p -> body.run(count * p / parts, count * (p + 1) / parts));
    }

    /** y[r, :] = x[r, :] · w + b, for x [rows, k], w [k, n]. */
    static void linear(float[] x, int rows, int k, float[] w, float[] b, int n, float[] y) {
        parallel(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                System.arraycopy(b, 0, y, r * n, n);
            }
            for (int kk = 0; kk < k; kk++) {
                int wo = kk * n;
                for (int r = r0; r < r1; r++) {
                    float a = x[r * k + kk];
                    int yo = r * n;
                    for (int j = 0; j < n; j++) {
                        y[yo + j] += a * w[wo + j];
                    }
                }
            }
        });
    }

    /**
     * Gradients of {@link #linear}: dw += xᵀ·dy, db += Σ dy and, if {@code dx} is not null, dx = dy·wᵀ (through
     * {@code scratch}, at least k·n floats, holding wᵀ).
     */
    static void linearBackward(float[] x, int rows, int k, float[] w, int n, float[] dy, float[] dw, float[] db,
            float[] dx, float[] scratch) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                db[j] += dy[r * n + j];
            }
        }
        parallel(k, (k0, k1) -> {
            for (int kk = k0; kk < k1; kk++) {
                int wo = kk * n;
                for (int r = 0; r < rows; r++) {
                    float a = x[r * k + kk];
                    int yo = r * n;
                    for (int j = 0; j < n; j++) {
                        dw[wo + j] += a * dy[yo + j];
                    }
                }
            }
        });
        if (dx == null) {
            return;
        }
        parallel(k, (k0, k1) -> {
            for (int kk = k0; kk < k1; kk++) {
                for (int j = 0; j < n; j++) {
                    scratch[j * k + kk] = w[kk * n + j];
                }
            }
        });
        parallel(rows, (r0, r1) -> {
            java.util.Arrays.fill(dx, r0 * k, r1 * k, 0f);
            for (int j = 0; j < n; j++) {
                int wo = j * k;
                for (int r = r0; r < r1; r++) {
                    float a = dy[r * n + j];
                    int xo = r * k;
                    for (int kk = 0; kk < k; kk++) {
                        dx[xo + kk] += a * scratch[wo + kk];
                    }
                }
            }
        });
    }

    /** LayerNorm over the last axis (width n): y = x̂·scale + bias; keeps x̂ and 1/σ per row for the backward pass. */
    static void layerNorm(float[] x, int rows, int n, float[] scale, float[] bias, float[] xhat, float[] rstd,
            float[] y) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += x[o + j];
            }
            float mean = (float) (sum / n);
            double squares = 0;
            for (int j = 0; j < n; j++) {
                float c = x[o + j] - mean;
                squares += c * c;
            }
            float inv = (float) (1 / Math.sqrt(squares / n + LN_EPSILON));
            rstd[r] = inv;
            for (int j = 0; j < n; j++) {
                float h = (x[o + j] - mean) * inv;
                xhat[o + j] = h;
                y[o + j] = h * scale[j] + bias[j];
            }
        }
    }

    /** Gradients of {@link #layerNorm}: dscale, dbias accumulated; dx written. */
    static void layerNormBackward(float[] dy, int rows, int n, float[] scale, float[] xhat, float[] rstd,
            float[] dscale, float[] dbias, float[] dx) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double meanG = 0;
            double meanGx = 0;
            for (int j = 0; j < n; j++) {
                float g = dy[o + j] * scale[j];
                meanG += g;
                meanGx += g * xhat[o + j];
                dscale[j] += dy[o + j] * xhat[o + j];
                dbias[j] += dy[o + j];
            }
            float mg = (float) (meanG / n);
            float mgx = (float) (meanGx / n);
            for (int j = 0; j < n; j++) {
                float g = dy[o + j] * scale[j];
                dx[o + j] = rstd[r] * (g - mg - xhat[o + j] * mgx);
            }
        }
    }

    /** Exact GELU, 0.5·u·(1 + erf(u/√2)), as the ONNX graph computes it. */
    static float gelu(float u) {
        return (float) (0.5 * u * (1 + erf(u * SQRT_HALF)));
    }

    static float geluDerivative(float u) {
        return (float) (0.5 * (1 + erf(u * SQRT_HALF)) + u * INV_SQRT_2PI * Math.exp(-0.5 * u * u));
    }

    /** erf to about 1e-7 absolute (Abramowitz &amp; Stegun 7.1.26), well inside float's resolution of GELU. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double t = 1 / (1 + 0.3275911 * ax);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double y = 1 - poly * Math.exp(-ax * ax);
        return x < 0 ? -y : y;
    }
}
