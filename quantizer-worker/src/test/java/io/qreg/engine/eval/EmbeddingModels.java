package io.qreg.engine.eval;

import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.npy.NpyArray;
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
import java.util.SplittableRandom;

/**
 * A small embedding model written with the engine's own ONNX writer — input {@code [N, 32]} → MatMul
 * {@code [32, 64]} → Tanh → MatMul {@code [64, 16]} → output {@code [N, 16]}, seeded random weights — and an
 * evaluation set of items in pairs: item {@code i < pairs} and item {@code i + pairs} are the same point with a
 * little noise, and each is the other's relevant item (the labels).
 */
public final class EmbeddingModels {

    static final int IN = 32;
    static final int HIDDEN = 64;
    static final int OUT = 16;

    private EmbeddingModels() {
    }

    public static Path writeModel(Path target, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        GraphProto.Builder graph = GraphProto.newBuilder().setName("embedder")
                .addInput(valueInfo("features", "N", IN))
                .addOutput(valueInfo("embedding", "N", OUT))
                .addInitializer(Tensors.floats("w1", new long[] {IN, HIDDEN}, gaussian(random, IN * HIDDEN,
                        1 / Math.sqrt(IN))))
                .addInitializer(Tensors.floats("w2", new long[] {HIDDEN, OUT}, gaussian(random, HIDDEN * OUT,
                        1 / Math.sqrt(HIDDEN))))
                .addNode(Nodes.node("MatMul", List.of("features", "w1"), List.of("h"), "/l1/MatMul"))
                .addNode(Nodes.node("Tanh", List.of("h"), List.of("a"), "/act/Tanh"))
                .addNode(Nodes.node("MatMul", List.of("a", "w2"), List.of("embedding"), "/l2/MatMul"));
        OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setProducerName("qreg EmbeddingModels")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build()).save(target);
        return target;
    }

    /** {@code 2 * pairs} items of {@link #IN} features, as .npy; see the class comment. */
    public static Path writeFeatures(Path target, int pairs, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[2 * pairs * IN];
        for (int i = 0; i < pairs; i++) {
            for (int d = 0; d < IN; d++) {
                float base = (float) random.nextGaussian();
                x[i * IN + d] = base;
                x[(i + pairs) * IN + d] = base + 0.3f * (float) random.nextGaussian();
            }
        }
        return write(target, NpyArray.ofFloats(x, 2 * pairs, IN));
    }

    /** Item {@code i}'s relevant item is its pair. */
    public static Path writePairLabels(Path target, int pairs) throws IOException {
        long[] labels = new long[2 * pairs];
        for (int i = 0; i < pairs; i++) {
            labels[i] = i + pairs;
            labels[i + pairs] = i;
        }
        return write(target, NpyArray.ofLongs(labels, 2 * pairs));
    }

    static Path write(Path target, NpyArray array) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            NpyWriter.write(out, array);
        }
        return target;
    }

    private static float[] gaussian(SplittableRandom random, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }

    private static ValueInfoProto valueInfo(String name, String batch, int width) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
