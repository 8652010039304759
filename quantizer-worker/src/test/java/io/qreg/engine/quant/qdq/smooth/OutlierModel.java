package io.qreg.engine.quant.qdq.smooth;

import ai.onnxruntime.OrtException;
import io.qreg.engine.model.OrtRunner;
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
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A small transformer-like block whose LayerNormalization has a few outlier channels, as LLM activations do
 * (Dettmers et al.; Xiao et al.): x [N, T, 32] → MatMul+Add → LayerNormalization (3 of 64 scale entries ~60× the
 * rest, and the weights reading them as much smaller, so the outputs still depend on every channel, as a trained
 * model's do) → q and k MatMuls reading the same normalized tensor (the LayerNorm fold's case) → Add → Relu → a MatMul whose
 * Relu input cannot take 1/s in its producer (the explicit Mul's case) → y [N, T, 16]. Weights from a fixed seed.
 */
final class OutlierModel {

    static final int TOKENS = 8;
    static final int IN = 32;
    static final int HIDDEN = 64;
    static final int OUT = 16;
    static final int[] OUTLIER_CHANNELS = {5, 23, 47};
    static final float OUTLIER_GAIN = 60f;

    private OutlierModel() {
    }

    static Path write(Path file) throws IOException {
        Random random = new Random(42);
        float[] scale = new float[HIDDEN];
        for (int j = 0; j < HIDDEN; j++) {
            scale[j] = 0.8f + 0.4f * random.nextFloat();
        }
        for (int j : OUTLIER_CHANNELS) {
            scale[j] *= OUTLIER_GAIN;
        }
        GraphProto graph = GraphProto.newBuilder().setName("outliers")
                .addInput(tensor("x", IN)).addOutput(tensor("y", OUT))
                .addInitializer(gaussian("w_in", random, IN, HIDDEN))
                .addInitializer(gaussian("b_in", random, HIDDEN))
                .addInitializer(Tensors.floats("ln_scale", new long[] {HIDDEN}, scale))
                .addInitializer(gaussian("ln_bias", random, HIDDEN))
                .addInitializer(damped(gaussian("w_q", random, HIDDEN, HIDDEN)))
                .addInitializer(damped(gaussian("w_k", random, HIDDEN, HIDDEN)))
                .addInitializer(gaussian("w_out", random, HIDDEN, OUT))
                .addNode(Nodes.node("MatMul", List.of("x", "w_in"), List.of("h0"), "proj_in"))
                .addNode(Nodes.node("Add", List.of("h0", "b_in"), List.of("h"), "proj_in_bias"))
                .addNode(Nodes.node("LayerNormalization", List.of("h", "ln_scale", "ln_bias"), List.of("n"), "ln",
                        Nodes.intAttr("axis", -1)))
                .addNode(Nodes.node("MatMul", List.of("n", "w_q"), List.of("q"), "q_proj"))
                .addNode(Nodes.node("MatMul", List.of("n", "w_k"), List.of("k"), "k_proj"))
                .addNode(Nodes.node("Add", List.of("q", "k"), List.of("s"), "sum"))
                .addNode(Nodes.node("Relu", List.of("s"), List.of("r"), "relu"))
                .addNode(Nodes.node("MatMul", List.of("r", "w_out"), List.of("y"), "out_proj"))
                .build();
        OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build()).save(file);
        return file;
    }

    /** {@code samples} inputs [samples, T, 32] of standard normal values from {@code seed}, as a .npy file. */
    static Path inputs(Path file, int samples, long seed) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            NpyWriter.write(out, NpyDType.FLOAT32, new long[] {samples, TOKENS, IN}, gaussian(new Random(seed),
                    samples * TOKENS * IN));
        }
        return file;
    }

    /** The model's output y for all samples of {@code inputs}, from ONNX Runtime. */
    static float[] run(Path model, Path inputs) throws IOException, OrtException {
        try (var in = Files.newInputStream(inputs)) {
            return OrtRunner.run(model, "x", io.qreg.npy.NpyArray.read(in));
        }
    }

    /** sqrt(Σ(ref−out)² / Σref²). */
    static double relativeError(float[] reference, float[] output) {
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = reference[i] - output[i];
            signal += (double) reference[i] * reference[i];
            noise += d * d;
        }
        return Math.sqrt(noise / signal);
    }

    static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** The weight's rows for the outlier channels divided by their gain. */
    private static TensorProto damped(TensorProto weight) {
        float[] w = Tensors.toFloats(weight);
        for (int j : OUTLIER_CHANNELS) {
            for (int c = 0; c < HIDDEN; c++) {
                w[j * HIDDEN + c] /= OUTLIER_GAIN;
            }
        }
        return Tensors.floats(weight.getName(), Tensors.dims(weight), w);
    }

    private static TensorProto gaussian(String name, Random random, long... dims) {
        int count = 1;
        for (long d : dims) {
            count *= (int) d;
        }
        float[] values = gaussian(random, count);
        float std = (float) (1 / Math.sqrt(dims[0]));
        for (int i = 0; i < values.length; i++) {
            values[i] *= dims.length == 1 ? 0.1f : std;
        }
        return Tensors.floats(name, dims, values);
    }

    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static ValueInfoProto tensor(String name, int width) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(TOKENS))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
