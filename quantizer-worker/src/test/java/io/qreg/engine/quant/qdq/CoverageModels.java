package io.qreg.engine.quant.qdq;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.model.OrtRunner;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.npy.NpyDType;
import io.qreg.npy.NpyWriter;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
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
 * Small generated models holding every op the static QDQ coverage extends to, with random weights
 * (fixed seed), written by the engine's own ONNX writer; plus data and the ONNX Runtime run to judge them.
 */
final class CoverageModels {

    /** Input x [N,3,16,16]; output y [N,10]. */
    static final long[] CNN_INPUT = {3, 16, 16};
    /** Input x [N,8,16]; output y [N,8,8]. */
    static final long[] BLOCK_INPUT = {8, 16};

    private final Random random = new Random(12);
    private final GraphProto.Builder graph = GraphProto.newBuilder();

    private CoverageModels(String name) {
        graph.setName(name);
    }

    /**
     * Conv → Relu → Conv → Add (residual) → Relu → AveragePool → Conv → Concat → Resize → Pad → Slice
     * → Split → (ConvTranspose → GlobalAveragePool | GlobalAveragePool) → Concat → Flatten → Gemm.
     */
    static void cnn(Path out) throws IOException {
        CoverageModels m = new CoverageModels("coverage_cnn");
        m.input("x", CNN_INPUT);
        m.weight("w1", 8, 3, 3, 3).weight("b1", 8).weight("w2", 8, 8, 3, 3).weight("b2", 8)
                .weight("w3", 8, 8, 1, 1).weight("b3", 8).weight("wt", 8, 4, 2, 2).weight("bt", 4)
                .weight("wg", 10, 12).weight("bg", 10);
        m.graph.addInitializer(Tensors.floats("resize_scales", new long[] {4}, new float[] {1, 1, 2, 2}))
                .addInitializer(Tensors.int64("pads", new long[] {8}, new long[] {0, 0, 1, 1, 0, 0, 1, 1}))
                .addInitializer(Tensors.int64("starts", new long[] {2}, new long[] {1, 1}))
                .addInitializer(Tensors.int64("ends", new long[] {2}, new long[] {17, 17}))
                .addInitializer(Tensors.int64("axes", new long[] {2}, new long[] {2, 3}))
                .addInitializer(Tensors.int64("split", new long[] {2}, new long[] {8, 8}));
        AttributeProto same = Nodes.intsAttr("pads", 1, 1, 1, 1);
        m.node("Conv", List.of("x", "w1", "b1"), List.of("c1"), "conv1", same)
                .node("Relu", List.of("c1"), List.of("r1"), "relu1")
                .node("Conv", List.of("r1", "w2", "b2"), List.of("c2"), "conv2", same)
                .node("Add", List.of("c2", "r1"), List.of("a"), "residual")
                .node("Relu", List.of("a"), List.of("r2"), "relu2")
                .node("AveragePool", List.of("r2"), List.of("p"), "avgpool", Nodes.intsAttr("kernel_shape", 2, 2),
                        Nodes.intsAttr("strides", 2, 2))
                .node("Conv", List.of("p", "w3", "b3"), List.of("c3"), "conv3")
                .node("Concat", List.of("p", "c3"), List.of("cat"), "concat", Nodes.intAttr("axis", 1))
                .node("Resize", List.of("cat", "", "resize_scales"), List.of("up"), "resize",
                        Nodes.stringAttr("mode", "nearest"))
                .node("Pad", List.of("up", "pads"), List.of("padded"), "pad")
                .node("Slice", List.of("padded", "starts", "ends", "axes"), List.of("sliced"), "slice")
                .node("Split", List.of("sliced", "split"), List.of("s0", "s1"), "split", Nodes.intAttr("axis", 1))
                .node("ConvTranspose", List.of("s0", "wt", "bt"), List.of("ct"), "convtranspose",
                        Nodes.intsAttr("strides", 2, 2))
                .node("GlobalAveragePool", List.of("ct"), List.of("g0"), "gap0")
                .node("GlobalAveragePool", List.of("s1"), List.of("g1"), "gap1")
                .node("Concat", List.of("g0", "g1"), List.of("g"), "concat_pooled", Nodes.intAttr("axis", 1))
                .node("Flatten", List.of("g"), List.of("f"), "flatten")
                .node("Gemm", List.of("f", "wg", "bg"), List.of("y"), "head", Nodes.intAttr("transB", 1));
        m.output("y").save(out, 17);
    }

    /**
     * LayerNormalization → MatMul → Add (bias) → Mul (gate by x) → Where (x > 0 ? gated : biased) →
     * Mul (constant per-feature scale) → MatMul.
     */
    static void block(Path out) throws IOException {
        CoverageModels m = new CoverageModels("coverage_block");
        m.input("x", BLOCK_INPUT);
        m.weight("gamma", 16).weight("beta", 16).weight("w1", 16, 16).weight("bias", 16).weight("feature_scale", 16)
                .weight("w2", 16, 8);
        m.graph.addInitializer(Tensors.floats("zero", new long[0], new float[] {0}));
        m.node("LayerNormalization", List.of("x", "gamma", "beta"), List.of("h"), "layernorm",
                        Nodes.intAttr("axis", -1))
                .node("MatMul", List.of("h", "w1"), List.of("m"), "matmul1")
                .node("Add", List.of("m", "bias"), List.of("mb"), "bias_add")
                .node("Mul", List.of("mb", "x"), List.of("gated"), "gate")
                .node("Greater", List.of("x", "zero"), List.of("positive"), "positive")
                .node("Where", List.of("positive", "gated", "mb"), List.of("w"), "where")
                .node("Mul", List.of("w", "feature_scale"), List.of("scaled"), "feature_scale_mul")
                .node("MatMul", List.of("scaled", "w2"), List.of("y"), "matmul2");
        m.output("y").save(out, 17);
    }

    /** Attention scores masked by Where(causal, scores, -1e9) before a Softmax: x [N,8,8] → y [N,8,8]. */
    static void whereMasked(Path out) throws IOException {
        CoverageModels m = new CoverageModels("where_mask");
        m.input("x", new long[] {8, 8});
        TensorProto.Builder causal = TensorProto.newBuilder().setName("causal")
                .setDataType(TensorProto.DataType.BOOL_VALUE).addDims(8).addDims(8);
        for (int i = 0; i < 64; i++) {
            causal.addInt32Data(i % 8 <= i / 8 ? 1 : 0);
        }
        m.graph.addInitializer(causal).addInitializer(Tensors.floats("masked", new long[0], new float[] {-1e9f}))
                .addInitializer(Tensors.floats("two", new long[0], new float[] {2}));
        m.node("Mul", List.of("x", "two"), List.of("scores"), "scale")
                .node("Where", List.of("causal", "scores", "masked"), List.of("masked_scores"), "mask")
                .node("Softmax", List.of("masked_scores"), List.of("y"), "softmax", Nodes.intAttr("axis", -1));
        m.output("y").save(out, 17);
    }

    /** Conv → Pad → Conv at {@code opset}; before 11, Pad takes its pads as an attribute. */
    static void paddedCnn(Path out, long opset) throws IOException {
        CoverageModels m = new CoverageModels("padded_cnn");
        m.input("x", CNN_INPUT);
        m.weight("w1", 4, 3, 3, 3).weight("w2", 4, 4, 3, 3);
        long[] pads = {0, 0, 1, 1, 0, 0, 1, 1};
        m.node("Conv", List.of("x", "w1"), List.of("c1"), "conv1");
        if (opset < 11) {
            m.node("Pad", List.of("c1"), List.of("padded"), "pad", Nodes.intsAttr("pads", pads));
        } else {
            m.graph.addInitializer(Tensors.int64("pads", new long[] {8}, pads));
            m.node("Pad", List.of("c1", "pads"), List.of("padded"), "pad");
        }
        m.node("Conv", List.of("padded", "w2"), List.of("y"), "conv2");
        m.output("y").save(out, opset);
    }

    /** {@code rows} samples of shape {@code sample}, standard normal from {@code seed}, written as .npy. */
    static float[] samples(Path file, int rows, long[] sample, long seed) throws IOException {
        Random r = new Random(seed);
        long perRow = 1;
        for (long d : sample) {
            perRow *= d;
        }
        float[] values = new float[Math.toIntExact(rows * perRow)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) r.nextGaussian();
        }
        try (OutputStream o = Files.newOutputStream(file)) {
            NpyWriter.write(o, NpyDType.FLOAT32, shape(rows, sample), values);
        }
        return values;
    }

    /** Output 0 of {@code model} in ONNX Runtime (one thread) for {@code rows} samples. */
    static float[] run(Path model, float[] x, int rows, long[] sample) throws OrtException {
        return OrtRunner.run(model, "x", x, shape(rows, sample));
    }

    /** As {@link #run}, with every Q/DQ computed as the ONNX spec states it ({@link OrtRunner#runAsWritten}). */
    static float[] runAsWritten(Path model, float[] x, int rows, long[] sample) throws OrtException {
        return OrtRunner.runAsWritten(model, "x", x, shape(rows, sample));
    }

    /** {@code rows} samples of shape {@code sample}: the batch dimension first. */
    private static long[] shape(int rows, long[] sample) {
        long[] shape = new long[sample.length + 1];
        shape[0] = rows;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }

    /**
     * {@code model} after ONNX Runtime's extended graph optimizations (where its QDQ fusions run), read
     * back from the optimized model it writes to {@code optimized}.
     */
    static ModelGraph fused(Path model, Path optimized) throws OrtException, IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
            so.setOptimizedModelFilePath(optimized.toString());
            env.createSession(model.toString(), so).close();
        }
        return OnnxModel.load(optimized).graph();
    }

    private CoverageModels input(String name, long[] sample) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : sample) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        graph.addInput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))));
        return this;
    }

    /** A float initializer, He-style scaled normal (fan-in = all dims but the first) so activations stay O(1). */
    private CoverageModels weight(String name, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        double fanIn = dims.length == 1 ? 1 : (double) count / dims[0];
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * Math.sqrt((dims.length == 1 ? 0.1 : 2.0) / fanIn));
        }
        if (name.equals("gamma") || name.equals("feature_scale")) {
            for (int i = 0; i < values.length; i++) {
                values[i] += 1; // scales around 1, like trained ones
            }
        }
        graph.addInitializer(Tensors.floats(name, dims, values));
        return this;
    }

    private CoverageModels node(String op, List<String> inputs, List<String> outputs, String name,
            AttributeProto... attributes) {
        NodeProto.Builder node = Nodes.node(op, inputs, outputs, name).toBuilder();
        for (AttributeProto a : attributes) {
            node.addAttribute(a);
        }
        graph.addNode(node);
        return this;
    }

    private CoverageModels output(String name) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
        return this;
    }

    private void save(Path out, long opset) throws IOException {
        OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).build()).save(out);
    }
}
