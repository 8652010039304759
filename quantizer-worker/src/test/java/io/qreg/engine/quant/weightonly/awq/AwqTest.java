package io.qreg.engine.quant.weightonly.awq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qreg.engine.quant.weightonly.BlockQuantizedWeight;
import io.qreg.engine.quant.weightonly.OrtFloats;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AwqTest {

    private static final int K = 128;
    private static final int N = 48;
    private static final int ROWS = 384;

    @Test
    void outlierInputChannelsMakeTheSearchScaleAndHalveRoundToNearestsOutputError() {
        Random random = new Random(5);
        float[] w = OrtFloats.gaussian(random, K * N, 0.05);
        float[] x = activations(random, new int[] {3, 40, 77, 101}, new double[] {20, 45, 70, 100});

        AwqResult result = Awq.search(w, K, N, x, ROWS, 4, 32, true);

        double awq = bruteForceError(w, x, result.quantized(), result.scales());
        double rtn = bruteForceError(w, x, BlockQuantizedWeight.quantize(w, K, N, 4, 32, true), ones());
        System.out.printf("AWQ with outlier channels: alpha %.2f, output error %.5g vs RTN %.5g (ratio %.3f)%n",
                result.alpha(), awq, rtn, awq / rtn);
        assertThat(result.alpha()).isPositive();
        assertThat(awq).isLessThanOrEqualTo(0.5 * rtn);
        assertThat(result.error()).isCloseTo(awq, within(awq * 1e-3));
        assertThat(result.rtnError()).isCloseTo(rtn, within(rtn * 1e-3));
        assertThat(result.alpha()).isEqualTo(bestAlphaByBruteForce(w, x, 32, true));
    }

    @Test
    void withoutOutliersTheSearchIsNeverWorseThanRoundToNearest() {
        for (boolean symmetric : new boolean[] {true, false}) {
            Random random = new Random(9);
            float[] w = OrtFloats.gaussian(random, K * N, 0.05);
            float[] x = activations(random, new int[0], new double[0]);

            AwqResult result = Awq.search(w, K, N, x, ROWS, 4, 64, symmetric);

            double awq = bruteForceError(w, x, result.quantized(), result.scales());
            double rtn = bruteForceError(w, x, BlockQuantizedWeight.quantize(w, K, N, 4, 64, symmetric), ones());
            System.out.printf("AWQ without outliers (%s): alpha %.2f, output error %.5g vs RTN %.5g%n",
                    symmetric ? "symmetric" : "asymmetric", result.alpha(), awq, rtn);
            assertThat(awq).isLessThanOrEqualTo(rtn * (1 + 1e-6));
            assertThat(result.alpha()).isEqualTo(bestAlphaByBruteForce(w, x, 64, symmetric));
        }
    }

    @Test
    void scalesFollowTheActivationMagnitudeAndCentreOnOne() {
        double[] meanAbs = {0.5, 2, 8, 32};
        float[] s = Awq.scales(meanAbs, 0.5);
        // s_x^0.5 = {0.707, 1.414, 2.83, 5.66}; sqrt(max·min) = 2: {0.354, 0.707, 1.414, 2.83}
        assertThat(s[0]).isCloseTo((float) (Math.sqrt(0.5) / 2), within(1e-6f));
        assertThat(s[3]).isCloseTo((float) (Math.sqrt(32) / 2), within(1e-6f));
        assertThat(s[0] * s[3]).isCloseTo(1f, within(1e-6f));
        assertThat(Awq.scales(meanAbs, 0)).containsOnly(1f);
    }

    /** Rows of Gaussian inputs with mildly varying channel spreads, the listed channels times the given factors. */
    private static float[] activations(Random random, int[] outliers, double[] factors) {
        double[] spread = new double[K];
        for (int j = 0; j < K; j++) {
            spread[j] = 0.5 + random.nextDouble();
        }
        for (int i = 0; i < outliers.length; i++) {
            spread[outliers[i]] *= factors[i];
        }
        float[] x = new float[ROWS * K];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < K; j++) {
                x[r * K + j] = (float) (random.nextGaussian() * spread[j]);
            }
        }
        return x;
    }

    /** ‖X·W − (X/s)·Q‖² computed the direct way, element by element. */
    private static double bruteForceError(float[] w, float[] x, BlockQuantizedWeight q, float[] s) {
        float[] deq = q.dequantize();
        double total = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < N; c++) {
                double exact = 0;
                double quantized = 0;
                for (int j = 0; j < K; j++) {
                    exact += (double) x[r * K + j] * w[j * N + c];
                    quantized += (double) (x[r * K + j] / s[j]) * deq[j * N + c];
                }
                total += (exact - quantized) * (exact - quantized);
            }
        }
        return total;
    }

    /** The grid α whose scales give the least brute-force error: the search's answer, found independently. */
    private static double bestAlphaByBruteForce(float[] w, float[] x, int blockSize, boolean symmetric) {
        double[] meanAbs = new double[K];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < K; j++) {
                meanAbs[j] += Math.abs(x[r * K + j]) / ROWS;
            }
        }
        double bestAlpha = 0;
        double best = Double.POSITIVE_INFINITY;
        for (int step = 0; step < 20; step++) {
            double alpha = step / 20.0;
            float[] s = Awq.scales(meanAbs, alpha);
            float[] scaled = new float[K * N];
            for (int j = 0; j < K; j++) {
                for (int c = 0; c < N; c++) {
                    scaled[j * N + c] = w[j * N + c] * s[j];
                }
            }
            double error = bruteForceError(w, x, BlockQuantizedWeight.quantize(scaled, K, N, 4, blockSize, symmetric),
                    s);
            if (error < best * (1 - 1e-9)) {
                best = error;
                bestAlpha = alpha;
            }
        }
        return bestAlpha;
    }

    private static float[] ones() {
        float[] s = new float[K];
        java.util.Arrays.fill(s, 1f);
        return s;
    }
}
