package io.qreg.registry.support;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * digits_mlp as a QAT export would hold it: each Gemm weight through QuantizeLinear → DequantizeLinear (int8,
 * one scale per tensor, fitted to the weight) and the input through a uint8 Q/DQ pair over the pixel range 0..16.
 */
public final class QatOnnx {

    private QatOnnx() {
    }

    public static byte[] digitsMlp(Path dir) {
        try {
            Path floatModel = Files.write(dir.resolve("digits_mlp_float.onnx"), Fixtures.bytes("digits_mlp.onnx"));
            OnnxModel model = OnnxModel.load(floatModel);
            ModelGraph graph = model.graph();
            List<NodeProto> gemms = graph.nodes().stream().filter(n -> n.getOpType().equals("Gemm")).toList();
            for (NodeProto gemm : gemms) {
                TensorProto w = graph.initializer(gemm.getInput(1)).orElseThrow();
                float maxAbs = 0;
                for (float v : Tensors.toFloats(w)) {
                    maxAbs = Math.max(maxAbs, Math.abs(v));
                }
                String base = gemm.getName().replace('/', '_');
                qdq(graph, gemm.getName(), w.getName(), base + "_w", maxAbs / 127, Tensors.int8(base + "_w_zp",
                        new long[0], new byte[1]));
            }
            String first = gemms.get(0).getName();
            qdq(graph, first, gemms.get(0).getInput(0), "input_act", 16f / 255,
                    Tensors.uint8("input_act_zp", new long[0], new byte[1]));
            Path qat = dir.resolve("digits_mlp_qat.onnx");
            model.save(qat);
            return Files.readAllBytes(qat);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void qdq(ModelGraph graph, String layer, String tensor, String base, float scale,
            TensorProto zeroPoint) {
        graph.addInitializer(Tensors.floats(base + "_scale", new long[0], new float[] {scale}));
        graph.addInitializer(zeroPoint);
        List<String> params = List.of(base + "_scale", zeroPoint.getName());
        graph.addNode(Nodes.node("QuantizeLinear", List.of(tensor, params.get(0), params.get(1)), List.of(base + "_q"),
                base + "_QuantizeLinear"));
        graph.addNode(Nodes.node("DequantizeLinear", List.of(base + "_q", params.get(0), params.get(1)),
                List.of(base + "_dq"), base + "_DequantizeLinear"));
        graph.replaceInput(graph.node(layer).orElseThrow(), tensor, base + "_dq");
    }
}
