package io.qreg.engine.quant.qdq.smooth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The per-group α search of {@code --smooth-quant auto} and the activation sample it works on. */
class GroupAlphaSearchTest {

    private static final int K = 16;
    private static final int N = 8;
    private static final int ROWS = 400;

    @Test
    void anActivationWithOutlierChannelsIsSmoothedAndItsQuantizedOutputErrorAtLeastHalved() {
        Random random = new Random(5);
        float[] w = gaussian(random, K * N);
        float[] x = gaussian(random, ROWS * K);
        for (int r = 0; r < ROWS; r++) {
            x[r * K + 2] *= 60;
            x[r * K + 9] *= 40;
        }
        ModelGraph graph = linear(w);
        ActivationSample sample = sample(x);

        GroupAlphaSearch.Choice choice = GroupAlphaSearch.choose(graph, group(graph), sample, false, false);

        assertThat(choice.errorOff()).isCloseTo(referenceErrorUnsmoothed(x, w), withinPercentage(0.5));
        assertThat(choice.smooths()).isTrue();
        assertThat(choice.alpha()).isBetween(0.3, 0.8);
        assertThat(choice.error()).isLessThanOrEqualTo(choice.errorOff() / 2);
        assertThat(choice.scales()[2]).as("the outlier channel is divided most")
                .isGreaterThan(choice.scales()[0]).isGreaterThan(choice.scales()[5]);
    }

    @Test
    void anActivationWithoutOutliersRoundedBeforeAnInsertedMulIsLeftUnsmoothed() {
        Random random = new Random(6);
        float[] w = gaussian(random, K * N);
        float[] x = gaussian(random, ROWS * K);
        ModelGraph graph = linear(w);

        GroupAlphaSearch.Choice choice = GroupAlphaSearch.choose(graph, group(graph), sample(x), true, true);

        assertThat(choice.smooths()).isFalse();
        assertThat(choice.scales()).isNull();
        assertThat(choice.error()).isEqualTo(choice.errorOff());
    }

    @Test
    void theSampleHoldsAtMostItsCapacityOfWholeRowsAndTheExactExtremesOfEveryRow() {
        int channels = 512;
        ActivationSample sample = new ActivationSample(channels);
        int rows = 3000;
        for (int batch = 0; batch < 3; batch++) {
            float[] values = new float[rows / 3 * channels];
            for (int r = 0; r < rows / 3; r++) {
                int row = batch * rows / 3 + r;
                for (int c = 0; c < channels; c++) {
                    values[r * channels + c] = row * 1000f + c; // every value names its row and channel
                }
            }
            sample.observe(values);
        }

        assertThat(sample.rowCount()).isEqualTo(ActivationSample.MAX_ROWS);
        float[] held = sample.rows();
        for (int r = 0; r < sample.rowCount(); r++) {
            float first = held[r * channels];
            for (int c = 0; c < channels; c += 97) {
                assertThat(held[r * channels + c]).as("row %d is one whole observed row", r).isEqualTo(first + c);
            }
        }
        assertThat(sample.min()[3]).isEqualTo(3f);
        assertThat(sample.max()[3]).isEqualTo((rows - 1) * 1000f + 3);
        assertThat(sample.absMax()[3]).isEqualTo((rows - 1) * 1000f + 3);
    }

    /**
     * The relative squared output error without smoothing, computed here independently: X on the int8 grid of its
     * min/max range (widened to 0), W on the symmetric int8 grid of its max |w| (one scale, per tensor).
     */
    private static double referenceErrorUnsmoothed(float[] x, float[] w) {
        float lo = 0;
        float hi = 0;
        for (float v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double xStep = ((double) hi - lo) / 255;
        long zero = Math.round(-128 - lo / xStep);
        float wMax = 0;
        for (float v : w) {
            wMax = Math.max(wMax, Math.abs(v));
        }
        double wStep = wMax / 127.0;
        double error = 0;
        double signal = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < N; c++) {
                double exact = 0;
                double quantized = 0;
                for (int j = 0; j < K; j++) {
                    float xv = x[r * K + j];
                    float wv = w[j * N + c];
                    long code = Math.max(-128, Math.min(127, Math.round(xv / xStep) + zero));
                    exact += (double) xv * wv;
                    quantized += (code - zero) * xStep * (Math.round(wv / wStep) * wStep);
                }
                error += (quantized - exact) * (quantized - exact);
                signal += exact * exact;
            }
        }
        return error / signal;
    }

    private static ActivationSample sample(float[] x) {
        ActivationSample sample = new ActivationSample(K);
        sample.observe(x);
        return sample;
    }

    private static SmoothGroup group(ModelGraph graph) {
        return SmoothGroup.find(graph, QuantizationOptions.defaults(Method.INT8_STATIC)).get(0);
    }

    /** x [N, 16] · w [16, 8] → y. */
    private static ModelGraph linear(float[] w) {
        GraphProto graph = GraphProto.newBuilder().setName("linear")
                .addInitializer(Tensors.floats("w", new long[] {K, N}, w))
                .addNode(Nodes.node("MatMul", List.of("x", "w"), List.of("y"), "mm"))
                .build();
        return OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).build()).graph();
    }

    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
