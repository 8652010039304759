package io.qreg.engine.quant.weightonly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GPTQ on small matrices against references computed here: the textbook OBQ update with an explicit H⁻¹
 * (what the Cholesky and lazy-batch form must equal), and the layer output error RTN leaves on correlated inputs.
 */
class GptqTest {

    private static final int BITS = 4;

    /** 40 fits one block of the factorisation; 300 spans several blocks and column tiles of the blocked updates. */
    @ParameterizedTest
    @ValueSource(ints = {40, 300})
    void upperFactorTimesItselfIsTheInverseHessian(int k) {
        double[] h = hessian(correlatedInputs(2 * k + 100, k, new Random(1)), 2 * k + 100, k);
        double[] u = HessianInverse.upperCholeskyOfInverse(h, k);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                assertThat(u[i * k + j]).isZero();
            }
        }
        // (UᵀU)·H = I
        double[] inverse = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int p = 0; p < k; p++) {
                double inv = 0;
                for (int q = 0; q <= Math.min(i, p); q++) {
                    inv += u[q * k + i] * u[q * k + p];
                }
                inverse[i * k + p] = inv;
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += inverse[i * k + p] * h[p * k + j];
                }
                assertThat(sum).isCloseTo(i == j ? 1 : 0, within(1e-8));
            }
        }
    }

    @Test
    void errorCompensationMatchesTheObqUpdateWithAnExplicitInverse() {
        // k spans three lazy batches (128 channels each) so the deferred updates are exercised too.
        int k = 320;
        int n = 6;
        int blockSize = 32;
        Random random = new Random(7);
        float[] x = correlatedInputs(1200, k, random);
        float[] w = gaussian(k * n, random);
        LayerInputs inputs = new LayerInputs(k, hessian(x, 1200, k), new double[k], 1200);

        float[] gptq = Gptq.quantize(w, k, n, inputs, BITS, blockSize, true, 0.01, false).dequantize();
        float[] reference = obq(w, k, n, inputs.hessian(), blockSize, 0.01);

        // The reference runs in double, GPTQ keeps W in float: scales may differ in the last float bit, and a
        // value sitting on a rounding boundary may flip; everything else is the same code on the same grid.
        double differ = 0;
        for (int i = 0; i < k * n; i++) {
            differ += Math.abs(gptq[i] - reference[i]) <= 1e-5 * Math.max(1, Math.abs(reference[i])) ? 0 : 1;
        }
        assertThat(differ / (k * n)).isLessThan(0.01);
        double referenceError = outputError(x, 1200, k, n, w, reference);
        assertThat(outputError(x, 1200, k, n, w, gptq)).isCloseTo(referenceError, within(1e-3 * referenceError));
    }

    @Test
    void gptqLeavesLessOutputErrorThanRoundToNearestOnCorrelatedInputs() {
        int k = 256;
        int n = 32;
        Random random = new Random(3);
        float[] x = correlatedInputs(1000, k, random);
        float[] w = gaussian(k * n, random);
        LayerInputs inputs = new LayerInputs(k, hessian(x, 1000, k), new double[k], 1000);
        for (boolean symmetric : new boolean[] {true, false}) {
            double rtn = outputError(x, 1000, k, n, w,
                    BlockQuantizedWeight.quantize(w, k, n, BITS, 32, symmetric).dequantize());
            double gptq = outputError(x, 1000, k, n, w,
                    Gptq.quantize(w, k, n, inputs, BITS, 32, symmetric, 0.01, false).dequantize());
            double actOrder = outputError(x, 1000, k, n, w,
                    Gptq.quantize(w, k, n, inputs, BITS, 32, symmetric, 0.01, true).dequantize());
            System.out.printf("symmetric=%s: ||X(W-Q)||^2 RTN %.2f, GPTQ %.2f, act-order %.2f%n", symmetric, rtn,
                    gptq, actOrder);
            assertThat(gptq).isLessThan(0.7 * rtn);
            assertThat(actOrder).isLessThan(0.7 * rtn);
        }
    }

    @Test
    void deadInputsAreZeroedAndTheRestStillQuantizes() {
        int k = 64;
        int n = 8;
        Random random = new Random(5);
        float[] x = correlatedInputs(400, k, random);
        for (int r = 0; r < 400; r++) {
            x[r * k + 10] = 0; // channel 10 never fires
        }
        float[] w = gaussian(k * n, random);
        LayerInputs inputs = new LayerInputs(k, hessian(x, 400, k), new double[k], 400);

        float[] q = Gptq.quantize(w, k, n, inputs, BITS, 16, true, 0.01, true).dequantize();

        for (int c = 0; c < n; c++) {
            assertThat(q[10 * n + c]).isZero();
        }
        for (float v : q) {
            assertThat(Float.isFinite(v)).isTrue();
        }
        assertThat(outputError(x, 400, k, n, w, q)).isLessThan(outputError(x, 400, k, n, w,
                BlockQuantizedWeight.quantize(w, k, n, BITS, 16, true).dequantize()));
    }

    /**
     * Reference: quantize channel by channel, each block's grid from the updated weights when the block starts,
     * push the error through column i of the explicit inverse, then remove channel i from the inverse
     * (Gaussian elimination: the OBS/OBQ update).
     */
    private static float[] obq(float[] weight, int k, int n, double[] hessian, int blockSize, double damp) {
        double[] h = hessian.clone();
        double mean = 0;
        for (int i = 0; i < k; i++) {
            mean += h[i * k + i];
        }
        mean /= k;
        for (int i = 0; i < k; i++) {
            h[i * k + i] += damp * mean;
        }
        double[] inv = invert(h, k);
        double[] w = new double[k * n];
        for (int i = 0; i < k * n; i++) {
            w[i] = weight[i];
        }
        float[] q = new float[k * n];
        BlockGrid[] grids = new BlockGrid[n];
        for (int i = 0; i < k; i++) {
            if (i % blockSize == 0) {
                for (int c = 0; c < n; c++) {
                    float[] values = new float[Math.min(blockSize, k - i)];
                    for (int r = 0; r < values.length; r++) {
                        values[r] = (float) w[(i + r) * n + c];
                    }
                    grids[c] = BlockGrid.search(values, 0, 1, values.length, BITS, true);
                }
            }
            double d = inv[i * k + i];
            for (int c = 0; c < n; c++) {
                float value = (float) w[i * n + c];
                q[i * n + c] = grids[c].dequantize(grids[c].code(value, 15));
                double e = (value - q[i * n + c]) / d;
                for (int j = i + 1; j < k; j++) {
                    w[j * n + c] -= inv[j * k + i] * e;
                }
            }
            double[] column = new double[k];
            for (int j = 0; j < k; j++) {
                column[j] = inv[j * k + i];
            }
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    inv[a * k + b] -= column[a] * column[b] / d;
                }
            }
        }
        return q;
    }

    private static double[] invert(double[] m, int k) {
        double[] a = m.clone();
        double[] inv = new double[k * k];
        for (int i = 0; i < k; i++) {
            inv[i * k + i] = 1;
        }
        for (int p = 0; p < k; p++) {
            double pivot = a[p * k + p];
            for (int j = 0; j < k; j++) {
                a[p * k + j] /= pivot;
                inv[p * k + j] /= pivot;
            }
            for (int r = 0; r < k; r++) {
                double f = a[r * k + p];
                if (r != p && f != 0) {
                    for (int j = 0; j < k; j++) {
                        a[r * k + j] -= f * a[p * k + j];
                        inv[r * k + j] -= f * inv[p * k + j];
                    }
                }
            }
        }
        return inv;
    }

    /** Rows whose channels share a few latent factors, with unequal scales: the case GPTQ exploits. */
    private static float[] correlatedInputs(int rows, int k, Random random) {
        int factors = 4;
        float[] mix = gaussian(factors * k, random);
        float[] x = new float[rows * k];
        for (int r = 0; r < rows; r++) {
            double[] z = new double[factors];
            for (int f = 0; f < factors; f++) {
                z[f] = random.nextGaussian();
            }
            for (int i = 0; i < k; i++) {
                double v = 0.3 * random.nextGaussian();
                for (int f = 0; f < factors; f++) {
                    v += z[f] * mix[f * k + i];
                }
                x[r * k + i] = (float) (v * (1 + i % 5));
            }
        }
        return x;
    }

    private static float[] gaussian(int size, Random random) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static double[] hessian(float[] x, int rows, int k) {
        double[] h = new double[k * k];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    h[i * k + j] += 2.0 * x[r * k + i] * x[r * k + j] / rows;
                }
            }
        }
        return h;
    }

    /** ||X·W − X·Q||² summed over rows and outputs. */
    private static double outputError(float[] x, int rows, int k, int n, float[] w, float[] q) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < n; c++) {
                double d = 0;
                for (int i = 0; i < k; i++) {
                    d += x[r * k + i] * ((double) w[i * n + c] - q[i * n + c]);
                }
                total += d * d;
            }
        }
        return total;
    }
}
