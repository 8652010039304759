package io.qreg.engine.quant.weightonly;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.npy.NpyDType;
import io.qreg.npy.NpyWriter;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorShapeProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer-input statistics GPTQ and AWQ read, captured in real ONNX Runtime ({@link GramGraph}: XᵀX and Σ|x|
 * computed in the graph per batch, summed in double here), against H = 2·XᵀX/rows and mean |x| computed in this
 * test in double from the activations themselves: over several uneven batches, on a graph input and on an
 * intermediate tensor, with non-finite activations counted as 0, and with a capture budget that forces one pass
 * per tensor.
 */
class LayerInputCaptureTest {

    private static final int SEQ = 5;
    /** Not a multiple of the capture's batch, so the last batch is short. */
    private static final int SAMPLES = 19;

    @TempDir
    Path dir;

    /** 24 inputs: one Gram product; 300: split into 2 column parts; 1030: 4 uneven parts (GramGraph.parts). */
    @ParameterizedTest
    @ValueSource(ints = {24, 300, 1030})
    void capturedStatisticsAreTheHessianAndMeanMagnitudeOfAllSamples(int k) throws Exception {
        float[] x = inputs(k);
        OnnxModel model = model(k);
        CalibrationData data = CalibrationData.load(model.graph(), Map.of("x", npy(x, k)));

        for (long budget : new long[] {LayerInputCapture.DEFAULT_BUDGET_BYTES, 1}) {
            LayerInputCapture capture = new LayerInputCapture(model, data, budget, ProgressListener.NONE);
            capture.plan("x", k);
            capture.plan("t", k);
            LayerInputs onX = capture.take("x");
            LayerInputs onT = capture.take("t");
            assertThat(capture.passes()).isEqualTo(budget == 1 ? 2 : 1);

            float[] t = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                t[i] = (float) Math.tanh(x[i]);
            }
            assertMatches(onX, x, k);
            assertMatches(onT, t, k);
        }
    }

    private static void assertMatches(LayerInputs stats, float[] activations, int k) {
        int rows = SAMPLES * SEQ;
        double[] gram = new double[k * k];
        double[] absSum = new double[k];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                double a = finiteOrZero(activations[r * k + i]);
                absSum[i] += Math.abs(a);
                for (int j = 0; j < k; j++) {
                    gram[i * k + j] += a * finiteOrZero(activations[r * k + j]);
                }
            }
        }
        assertThat(stats.rows()).isEqualTo(rows);
        double largest = 0;
        for (double g : gram) {
            largest = Math.max(largest, Math.abs(2 * g / rows));
        }
        // Each batch's Gram matrix is summed in float inside ONNX Runtime: agreement to float precision.
        double worstH = 0;
        int asymmetric = 0;
        double worstMean = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                worstH = Math.max(worstH, Math.abs(stats.hessian()[i * k + j] - 2 * gram[i * k + j] / rows));
                asymmetric += stats.hessian()[i * k + j] == stats.hessian()[j * k + i] ? 0 : 1;
            }
            double mean = absSum[i] / rows;
            worstMean = Math.max(worstMean, Math.abs(stats.meanAbs()[i] - mean) / mean);
        }
        assertThat(worstH).isLessThan(1e-5 * largest);
        assertThat(asymmetric).isZero();
        assertThat(worstMean).isLessThan(1e-5);
    }

    private static double finiteOrZero(float v) {
        return Float.isFinite(v) ? v : 0;
    }

    /** [SAMPLES, SEQ, k]: correlated channels, plus a NaN and an infinity in sample 3. */
    private static float[] inputs(int k) {
        Random random = new Random(3);
        float[] x = new float[SAMPLES * SEQ * k];
        for (int r = 0; r < SAMPLES * SEQ; r++) {
            double shared = random.nextGaussian();
            for (int i = 0; i < k; i++) {
                x[r * k + i] = (float) (0.6 * shared + random.nextGaussian() * (1 + i % 4));
            }
        }
        x[3 * SEQ * k + 7] = Float.NaN;
        x[3 * SEQ * k + k + 2] = Float.POSITIVE_INFINITY;
        return x;
    }

    private Path npy(float[] x, int k) throws Exception {
        Path file = dir.resolve("x.npy");
        try (OutputStream out = Files.newOutputStream(file)) {
            NpyWriter.write(out, NpyDType.FLOAT32, new long[] {SAMPLES, SEQ, k}, x);
        }
        return file;
    }

    /** y = x·W1 + tanh(x)·W2 + (an output branch no captured tensor needs). */
    private static OnnxModel model(int k) {
        Random random = new Random(5);
        float[] w1 = new float[k * 3];
        float[] w2 = new float[k * 3];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = (float) random.nextGaussian();
            w2[i] = (float) random.nextGaussian();
        }
        TypeProto.Tensor.Builder x = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                .setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(SEQ))
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(k)));
        GraphProto.Builder graph = GraphProto.newBuilder().setName("g")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(x)))
                .addInitializer(Tensors.floats("w1", new long[] {k, 3}, w1))
                .addInitializer(Tensors.floats("w2", new long[] {k, 3}, w2))
                .addNode(Nodes.node("Tanh", List.of("x"), List.of("t"), "tanh"))
                .addNode(Nodes.node("MatMul", List.of("x", "w1"), List.of("y1"), "mm1"))
                .addNode(Nodes.node("MatMul", List.of("t", "w2"), List.of("y2"), "mm2"))
                .addNode(Nodes.node("Add", List.of("y1", "y2"), List.of("y"), "add"))
                .addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
        return OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build());
    }
}
