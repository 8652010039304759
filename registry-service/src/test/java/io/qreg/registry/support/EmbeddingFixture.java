package io.qreg.registry.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SplittableRandom;

import io.qreg.engine.model.Nodes;
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

/**
 * A small embedding model for registry tests, written with the engine's ONNX classes: input
 * {@code features [N, 32]} → MatMul [32, 64] → Tanh → MatMul [64, 16] → {@code embedding [N, 16]}, seeded
 * random weights; and evaluation items in pairs (item i and item i + pairs are one point with a little noise,
 * each the other's relevant item). The engine's own tests build the same model (EmbeddingModels).
 */
public final class EmbeddingFixture {

    private static final int IN = 32;
    private static final int HIDDEN = 64;
    private static final int OUT = 16;

    private EmbeddingFixture() {
    }

    public static byte[] model(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        GraphProto graph = GraphProto.newBuilder().setName("embedder")
                .addInput(valueInfo("features", IN))
                .addOutput(valueInfo("embedding", OUT))
                .addInitializer(Tensors.floats("w1", new long[] {IN, HIDDEN}, gaussian(random, IN * HIDDEN, IN)))
                .addInitializer(Tensors.floats("w2", new long[] {HIDDEN, OUT}, gaussian(random, HIDDEN * OUT, HIDDEN)))
                .addNode(Nodes.node("MatMul", List.of("features", "w1"), List.of("h"), "/l1/MatMul"))
                .addNode(Nodes.node("Tanh", List.of("h"), List.of("a"), "/act/Tanh"))
                .addNode(Nodes.node("MatMul", List.of("a", "w2"), List.of("embedding"), "/l2/MatMul"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("qreg EmbeddingFixture")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray();
    }

    public static byte[] features(int pairs, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[2 * pairs * IN];
        for (int i = 0; i < pairs; i++) {
            for (int d = 0; d < IN; d++) {
                float base = (float) random.nextGaussian();
                x[i * IN + d] = base;
                x[(i + pairs) * IN + d] = base + 0.3f * (float) random.nextGaussian();
            }
        }
        return npy(NpyArray.ofFloats(x, 2 * pairs, IN));
    }

    public static byte[] pairLabels(int pairs) {
        long[] labels = new long[2 * pairs];
        for (int i = 0; i < pairs; i++) {
            labels[i] = i + pairs;
            labels[i + pairs] = i;
        }
        return npy(NpyArray.ofLongs(labels, 2 * pairs));
    }

    private static byte[] npy(NpyArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            NpyWriter.write(out, array);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static float[] gaussian(SplittableRandom random, int n, int fanIn) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() / Math.sqrt(fanIn));
        }
        return values;
    }

    private static ValueInfoProto valueInfo(String name, int width) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
