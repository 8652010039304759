package io.qreg.engine.quant.weightonly.hqq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.weightonly.BlockQuantizedWeight;
import io.qreg.engine.quant.weightonly.OrtFloats;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.GraphProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HqqTest {

    @TempDir
    Path dir;

    @Test
    void objectiveNeverRisesWithMoreIterationsAndEndsBelowTheMinMaxStart() {
        int k = 128;
        int n = 24;
        float[] w = heavyTailed(new Random(7), k * n);
        double[] errors = new double[21];
        for (int iterations = 0; iterations <= 20; iterations++) {
            BlockQuantizedWeight q = Hqq.quantize(w, k, n, 4, 32, HqqOptions.defaults().withIterations(iterations));
            errors[iterations] = lp(w, reconstruct(q), 1);
        }
        System.out.printf("HQQ mean |error| by iteration: start %.6g, 1 %.6g, 5 %.6g, 20 %.6g%n",
                errors[0] / w.length, errors[1] / w.length, errors[5] / w.length, errors[20] / w.length);
        for (int i = 1; i <= 20; i++) {
            assertThat(errors[i]).isLessThanOrEqualTo(errors[i - 1] * (1 + 1e-9));
        }
        assertThat(errors[20]).isLessThan(errors[0] * 0.97);
    }

    @Test
    void reconstructionErrorIsAtMostRoundToNearestOnGaussianAndHeavyTailedWeights() {
        int k = 256;
        int n = 64;
        for (String kind : List.of("gaussian", "heavy-tailed")) {
            Random random = new Random(11);
            float[] w = kind.equals("gaussian") ? OrtFloats.gaussian(random, k * n, 0.05) : heavyTailed(random, k * n);
            for (int block : new int[] {32, 64, 128}) {
                float[] hqq = reconstruct(Hqq.quantize(w, k, n, 4, block));
                float[] rtnAsym = reconstruct(BlockQuantizedWeight.quantize(w, k, n, 4, block, false));
                float[] rtnSym = reconstruct(BlockQuantizedWeight.quantize(w, k, n, 4, block, true));
                System.out.printf("%s block %d: L0.7 HQQ %.5g RTN-asym %.5g RTN-sym %.5g; L2 HQQ %.5g RTN-asym %.5g"
                        + " RTN-sym %.5g%n", kind, block, lp(w, hqq, 0.7), lp(w, rtnAsym, 0.7), lp(w, rtnSym, 0.7),
                        lp(w, hqq, 2), lp(w, rtnAsym, 2), lp(w, rtnSym, 2));
                assertThat(lp(w, hqq, 0.7)).isLessThan(lp(w, rtnAsym, 0.7)).isLessThan(lp(w, rtnSym, 0.7));
                assertThat(lp(w, hqq, 2)).isLessThan(lp(w, rtnAsym, 2)).isLessThan(lp(w, rtnSym, 2));
            }
        }
    }

    @Test
    void symmetricVariantOptimisesTheScaleAndBeatsSymmetricRoundToNearest() {
        int k = 256;
        int n = 64;
        for (String kind : List.of("gaussian", "heavy-tailed")) {
            Random random = new Random(13);
            float[] w = kind.equals("gaussian") ? OrtFloats.gaussian(random, k * n, 0.05) : heavyTailed(random, k * n);
            double previous = Double.POSITIVE_INFINITY;
            for (int iterations : new int[] {0, 1, 5, 20}) {
                BlockQuantizedWeight q = Hqq.quantizeSymmetric(w, k, n, 4, 32,
                        HqqOptions.defaults().withIterations(iterations));
                double error = lp(w, reconstruct(q), 1);
                assertThat(q.zeroPoints()).isNull();
                assertThat(q.floatZeroPoints()).isNull();
                assertThat(error).isLessThanOrEqualTo(previous * (1 + 1e-9));
                previous = error;
            }
            float[] hqq = reconstruct(Hqq.quantizeSymmetric(w, k, n, 4, 32, HqqOptions.defaults()));
            float[] rtn = reconstruct(BlockQuantizedWeight.quantize(w, k, n, 4, 32, true));
            System.out.printf("%s symmetric block 32: L0.7 HQQ %.5g RTN %.5g; L2 HQQ %.5g RTN %.5g%n", kind,
                    lp(w, hqq, 0.7), lp(w, rtn, 0.7), lp(w, hqq, 2), lp(w, rtn, 2));
            assertThat(lp(w, hqq, 0.7)).isLessThan(lp(w, rtn, 0.7));
            assertThat(lp(w, hqq, 2)).isLessThan(lp(w, rtn, 2));
        }
    }

    @Test
    void eightBitFloatZeroPointsAreRefusedSinceOnnxRuntimesKernelTakesThemOnlyAt4Bits() {
        assertThatThrownBy(() -> Hqq.quantize(new float[64], 32, 2, 8, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 bits");
    }

    @Test
    void onnxRuntimeDequantizesFloatZeroPointsAsTheWeightSays() throws Exception {
        int bits = 4;
        // Feeding the identity as A makes MatMulNBits' output its dequantized B: the kernel must take the float
        // zero points and compute (code − z) · scale as the test reconstructs it, including a short last block.
        int k = 80;
        int n = 12;
        float[] w = heavyTailed(new Random(3), k * n);
        BlockQuantizedWeight q = Hqq.quantize(w, k, n, bits, 32);
        GraphProto.Builder graph = OrtFloats.graph(k)
                .addInitializer(Tensors.uint8("b", new long[] {n, q.blocks(), q.blobSize()}, q.packed()))
                .addInitializer(Tensors.floats("s", new long[] {q.scales().length}, q.scales()))
                .addInitializer(Tensors.floats("z", new long[] {q.floatZeroPoints().length}, q.floatZeroPoints()))
                .addNode(Nodes.node("com.microsoft", "MatMulNBits", List.of("x", "b", "s", "z"), List.of("y"), "mm",
                        Nodes.intAttr("K", k), Nodes.intAttr("N", n), Nodes.intAttr("bits", bits),
                        Nodes.intAttr("block_size", 32)));
        float[] identity = new float[k * k];
        for (int i = 0; i < k; i++) {
            identity[i * k + i] = 1f;
        }
        float[] out = OrtFloats.run(OrtFloats.save(graph, dir.resolve("hqq.onnx")), identity, k, k);

        float[] expected = reconstruct(q);
        assertThat(OrtFloats.maxAbsDiff(out, expected)).isLessThan(1e-6);
        assertThat(q.dequantize()).containsExactly(expected);
        long fractional = 0;
        for (float z : q.floatZeroPoints()) {
            fractional += z != (float) Math.rint(z) ? 1 : 0;
        }
        assertThat(fractional).isPositive();
    }

    /** (code − z) · scale from the packed bytes, written out here independently of the production code. */
    static float[] reconstruct(BlockQuantizedWeight q) {
        int blocks = q.blocks();
        float[] out = new float[q.k() * q.n()];
        for (int col = 0; col < q.n(); col++) {
            for (int row = 0; row < q.k(); row++) {
                int b = row / q.blockSize();
                int index = row % q.blockSize();
                int block = col * blocks + b;
                int code;
                float zero;
                if (q.bits() == 8) {
                    code = q.packed()[block * q.blobSize() + index] & 0xFF;
                } else {
                    int pair = q.packed()[block * q.blobSize() + index / 2] & 0xFF;
                    code = index % 2 == 0 ? pair & 15 : pair >> 4;
                }
                if (q.floatZeroPoints() != null) {
                    zero = q.floatZeroPoints()[block];
                } else if (q.zeroPoints() == null) {
                    zero = 1 << (q.bits() - 1);
                } else {
                    int perRow = (blocks * q.bits() + 7) / 8;
                    int pair = q.zeroPoints()[col * perRow + (q.bits() == 8 ? b : b / 2)] & 0xFF;
                    zero = q.bits() == 8 ? pair : (b % 2 == 0 ? pair & 15 : pair >> 4);
                }
                out[row * q.n() + col] = (code - zero) * q.scales()[block];
            }
        }
        return out;
    }

    static double lp(float[] w, float[] r, double p) {
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            sum += Math.pow(Math.abs(w[i] - r[i]), p);
        }
        return sum;
    }

    /** Student-t-like weights: a Gaussian divided by a random spread, so a few elements are many sigmas out. */
    static float[] heavyTailed(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            double chi = 0;
            for (int d = 0; d < 3; d++) {
                double g = random.nextGaussian();
                chi += g * g;
            }
            values[i] = (float) (0.05 * random.nextGaussian() / Math.sqrt(chi / 3));
        }
        return values;
    }
}
