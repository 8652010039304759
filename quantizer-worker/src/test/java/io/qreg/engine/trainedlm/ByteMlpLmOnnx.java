package io.qreg.engine.trainedlm;

import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes trained {@link ByteMlpLmWeights} as an opset-17 ONNX graph with {@code input_ids} [batch, seq] (int64) and
 * {@code logits} [batch, seq, 256], computing at every position what {@link ByteMlpLmNetwork#forward} computes:
 * {@code Pad} the ids on the left with {@link ByteMlpLmConfig#PAD}, {@code Gather} the embeddings, one {@code Slice}
 * per context offset and a {@code Concat} of them, then LayerNormalization → MatMul + bias (input projection), per
 * block LayerNormalization → MatMul + bias → exact GELU (Erf form) → MatMul + bias → residual Add, and the final
 * LayerNormalization → MatMul + bias (LM head).
 */
final class ByteMlpLmOnnx {

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("byte_mlp_lm");

    private ByteMlpLmOnnx() {
    }

    static OnnxModel write(ByteMlpLmWeights weights) {
        return OnnxModel.of(new ByteMlpLmOnnx().model(weights));
    }

    private ModelProto model(ByteMlpLmWeights w) {
        ByteMlpLmConfig config = w.config;
        int c = config.context();
        graph.addInput(Nodes.valueInfo("input_ids", TensorProto.DataType.INT64, "batch", "seq"));
        graph.addOutput(Nodes.valueInfo("logits", TensorProto.DataType.FLOAT, "batch", "seq", ByteMlpLmConfig.VOCAB));
        w.all().forEach(p -> graph.addInitializer(Tensors.floats(p.name, p.shape, p.value)));

        String padded = node("Pad", "/pad/Pad", List.of("input_ids",
                constant("/pad/pads", Tensors.int64("", new long[] {4}, new long[] {0, c - 1, 0, 0})),
                constant("/pad/value", Tensors.int64("", new long[0], new long[] {ByteMlpLmConfig.PAD}))),
                Nodes.stringAttr("mode", "constant"));
        String embedded = node("Gather", "/embedding/Gather", List.of(w.embedding.name, padded),
                Nodes.intAttr("axis", 0));
        List<String> offsets = new ArrayList<>();
        String axis = constant("/context/axis", vector(1));
        for (int p = 0; p < c; p++) {
            // Offset p of position t is padded index t + p, i.e. the byte at t - (c - 1 - p).
            long end = p == c - 1 ? Long.MAX_VALUE : p - (c - 1);
            offsets.add(node("Slice", "/context/Slice_" + p, List.of(embedded,
                    constant("/context/start_" + p, vector(p)), constant("/context/end_" + p, vector(end)), axis)));
        }
        String x = node("Concat", "/context/Concat", offsets, Nodes.intAttr("axis", -1));
        x = layerNorm("/in_ln", x, w.inLnScale, w.inLnBias);
        x = linear("/in", x, w.inWeight, w.inBias);
        for (int b = 0; b < w.blocks.size(); b++) {
            ByteMlpLmWeights.Block block = w.blocks.get(b);
            String p = "/blocks." + b;
            String normed = layerNorm(p + "/ln", x, block.lnScale(), block.lnBias());
            String up = linear(p + "/up", normed, block.upWeight(), block.upBias());
            String down = linear(p + "/down", gelu(p + "/gelu", up), block.downWeight(), block.downBias());
            x = node("Add", p + "/residual/Add", List.of(x, down));
        }
        String normed = layerNorm("/final_ln", x, w.finalLnScale, w.finalLnBias);
        String head = node("MatMul", "/head/MatMul", List.of(normed, w.headWeight.name));
        graph.addNode(Nodes.node("Add", List.of(head, w.headBias.name), List.of("logits"), "/head/Add"));
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("qreg ByteMlpLmOnnx")
                .setProducerVersion(config.cacheKey())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph)
                .build();
    }

    private String layerNorm(String name, String x, Param scale, Param bias) {
        return node("LayerNormalization", name + "/LayerNormalization", List.of(x, scale.name, bias.name),
                Nodes.intAttr("axis", -1), Nodes.floatAttr("epsilon", Dense.LN_EPSILON));
    }

    private String linear(String name, String x, Param weight, Param bias) {
        return node("Add", name + "/Add", List.of(node("MatMul", name + "/MatMul", List.of(x, weight.name)),
                bias.name));
    }

    /** Exact GELU as torch exports it at opset 17: 0.5 · x · (1 + erf(x / √2)). */
    private String gelu(String name, String x) {
        String erf = node("Erf", name + "/Erf", List.of(node("Div", name + "/Div", List.of(x,
                constant(name + "/sqrt2", Tensors.floats("", new long[0], new float[] {(float) Math.sqrt(2)}))))));
        String onePlus = node("Add", name + "/Add", List.of(erf,
                constant(name + "/one", Tensors.floats("", new long[0], new float[] {1f}))));
        return node("Mul", name + "/Mul_1", List.of(node("Mul", name + "/Mul", List.of(x, onePlus)),
                constant(name + "/half", Tensors.floats("", new long[0], new float[] {0.5f}))));
    }

    private static TensorProto vector(long value) {
        return Tensors.int64("", new long[] {1}, new long[] {value});
    }

    /** Adds a node with one output, {@code <node name>_output_0}, and returns that output's name. */
    private String node(String op, String name, List<String> inputs, AttributeProto... attributes) {
        String out = name + "_output_0";
        graph.addNode(Nodes.node(op, inputs, List.of(out), name, attributes));
        return out;
    }

    private String constant(String name, TensorProto value) {
        return node("Constant", name, List.of(), Nodes.tensorAttr("value", value));
    }
}
