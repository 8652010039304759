package io.qreg.engine.quant;

import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.npy.NpyDType;
import io.qreg.npy.NpyWriter;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sequence classifier written with the engine's own ONNX writer, in the shape a batch-first PyTorch
 * LSTM exports to (opset 17): {@code x [batch, seq, in] → Transpose → LSTM(W, R, B) → Y_h → Squeeze →
 * MatMul head → logits [batch, classes]}. Seeded Gaussian weights; most parameters are the LSTM's.
 */
final class LstmModel {

    static final int INPUT = 16;
    static final int HIDDEN = 32;
    static final int CLASSES = 10;
    static final int SEQ = 12;
    /** W [1, 4H, in] and R [1, 4H, H] of one direction: the LSTM's weights (its bias is not a weight). */
    static final long LSTM_WEIGHTS = 4L * HIDDEN * INPUT + 4L * HIDDEN * HIDDEN;
    static final long HEAD_WEIGHTS = (long) HIDDEN * CLASSES;

    private LstmModel() {
    }

    static Path write(Path file) throws IOException {
        return write(file, 1);
    }

    /**
     * @param directions 1 (forward, the head reads the squeezed last hidden state) or 2 (bidirectional, the head
     *     reads each direction's last hidden state: logits [2, batch, classes])
     */
    static Path write(Path file, int directions) throws IOException {
        SplittableRandom random = new SplittableRandom(12);
        boolean bidirectional = directions == 2;
        GraphProto.Builder g = GraphProto.newBuilder().setName("lstm_classifier")
                .addInput(Nodes.valueInfo("x", TensorProto.DataType.FLOAT, "batch", SEQ, INPUT))
                .addOutput(bidirectional ? Nodes.valueInfo("logits", TensorProto.DataType.FLOAT, 2, "batch", CLASSES)
                        : Nodes.valueInfo("logits", TensorProto.DataType.FLOAT, "batch", CLASSES))
                .addInitializer(gaussian("W", random, 0.3, directions, 4 * HIDDEN, INPUT))
                .addInitializer(gaussian("R", random, 0.2, directions, 4 * HIDDEN, HIDDEN))
                .addInitializer(gaussian("B", random, 0.1, directions, 8 * HIDDEN))
                .addInitializer(gaussian("head", random, 0.4, HIDDEN, CLASSES))
                .addNode(Nodes.node("Transpose", List.of("x"), List.of("x_seq_first"), "/Transpose",
                        Nodes.intsAttr("perm", 1, 0, 2)))
                .addNode(Nodes.node("LSTM", List.of("x_seq_first", "W", "R", "B"), List.of("", "h_last"), "/lstm/LSTM",
                        Nodes.intAttr("hidden_size", HIDDEN),
                        Nodes.stringAttr("direction", bidirectional ? "bidirectional" : "forward")));
        if (bidirectional) {
            g.addNode(Nodes.node("MatMul", List.of("h_last", "head"), List.of("logits"), "/head/MatMul"));
        } else {
            g.addInitializer(Tensors.int64("squeeze_axes", new long[] {1}, new long[] {0}))
                    .addNode(Nodes.node("Squeeze", List.of("h_last", "squeeze_axes"), List.of("h"), "/Squeeze"))
                    .addNode(Nodes.node("MatMul", List.of("h", "head"), List.of("logits"), "/head/MatMul"));
        }
        ModelProto model = ModelProto.newBuilder().setIrVersion(8).setProducerName("qreg-test").setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
        OnnxModel.of(model).save(file);
        return file;
    }

    /** {@code samples} sequences of seeded N(0, 1) features, [samples, seq, in] float32. */
    static float[] inputs(int samples, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[samples * SEQ * INPUT];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) gaussian(random);
        }
        return x;
    }

    static Path writeInputs(Path file, int samples, long seed) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            NpyWriter.write(out, NpyDType.FLOAT32, new long[] {samples, SEQ, INPUT}, inputs(samples, seed));
        }
        return file;
    }

    private static TensorProto gaussian(String name, SplittableRandom random, double std, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (std * gaussian(random));
        }
        return Tensors.floats(name, dims, values);
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
