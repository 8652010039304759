package io.qreg.engine.quant;

import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.calibration.CalibrationRunner;
import io.qreg.engine.calibration.MinMaxCalibrator;
import io.qreg.engine.calibration.Range;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds, from digits_mlp's trained float weights, the model a PyTorch QAT export would be (no training: the
 * grid is fitted to the weights as the fake-quant observers would fit it): every Gemm weight goes through
 * QuantizeLinear → DequantizeLinear (the first int8 per output channel, the last int8 per tensor), the middle
 * Gemm becomes a MatMul whose [K, N] weight is fake-quantized to int4 per column, and each layer's input gets
 * a uint8 activation Q/DQ pair with the scale and zero point of its range on the calibration samples.
 * Opset 21, the first with int4 QuantizeLinear.
 */
public final class QatExports {

    static final long OPSET = 21;

    private QatExports() {
    }

    public static Path digitsMlpQat(Path dir) throws Exception {
        Path floatModel = ModelEval.copy("digits_mlp.onnx", dir);
        Path calibration = ModelEval.copy("digits_calib_x.npy", dir);
        OnnxModel model = OnnxModel.load(floatModel);
        ModelGraph graph = model.graph();
        List<NodeProto> gemms = graph.nodes().stream().filter(n -> n.getOpType().equals("Gemm")).toList();
        Set<String> layerInputs = new LinkedHashSet<>();
        gemms.forEach(g -> layerInputs.add(g.getInput(0)));
        Map<String, MinMaxCalibrator> ranges = new CalibrationRunner(CalibrationRunner.DEFAULT_BATCH_SIZE, null)
                .calibrate(model, CalibrationData.load(graph, Map.of("input", calibration)), layerInputs,
                        MinMaxCalibrator::new);
        for (int i = 0; i < gemms.size(); i++) {
            NodeProto gemm = gemms.get(i);
            String activation = activationQdq(graph, gemm, ranges.get(gemm.getInput(0)).range());
            if (i == 1) {
                matMulInt4(graph, gemm, activation);
            } else {
                weightInt8(graph, gemm, activation, i == 0);
            }
        }
        ModelProto.Builder proto = model.toProto().toBuilder();
        for (int i = 0; i < proto.getOpsetImportCount(); i++) {
            OperatorSetIdProto opset = proto.getOpsetImport(i);
            if (opset.getDomain().isEmpty() || opset.getDomain().equals("ai.onnx")) {
                proto.setOpsetImport(i, opset.toBuilder().setVersion(OPSET));
            }
        }
        proto.setIrVersion(Math.max(proto.getIrVersion(), 10));
        Path qat = dir.resolve("digits_mlp_qat.onnx");
        OnnxModel.of(proto.build()).save(qat);
        return qat;
    }

    /** uint8 Q/DQ on the layer's input, as PyTorch's observers set it: the range widened to include 0. */
    private static String activationQdq(ModelGraph graph, NodeProto layer, Range range) {
        double min = Math.min(0, range.min());
        double max = Math.max(0, range.max());
        float scale = (float) ((max - min) / 255);
        int zp = (int) Math.max(0, Math.min(255, Math.round(-min / scale)));
        String x = layer.getInput(0);
        String base = layer.getName().replace('/', '_');
        String s = add(graph, Tensors.floats(base + "_x_scale", new long[0], new float[] {scale}));
        String z = add(graph, Tensors.uint8(base + "_x_zp", new long[0], new byte[] {(byte) zp}));
        String q = base + "_x_q";
        String dq = base + "_x_dq";
        graph.addNode(Nodes.node("QuantizeLinear", List.of(x, s, z), List.of(q), base + "_x_QuantizeLinear"));
        graph.addNode(Nodes.node("DequantizeLinear", List.of(q, s, z), List.of(dq), base + "_x_DequantizeLinear"));
        graph.replaceInput(graph.node(layer.getName()).orElseThrow(), x, dq);
        return dq;
    }

    /** Symmetric int8 fake-quant of the Gemm's weight, per output channel (axis 0 of [N, K]) or per tensor. */
    private static void weightInt8(ModelGraph graph, NodeProto gemm, String activation, boolean perChannel) {
        TensorProto w = graph.initializer(gemm.getInput(1)).orElseThrow();
        if (Nodes.attrInt(gemm, "transB", 0) != 1) {
            throw new IllegalStateException("digits_mlp's Gemms are expected to hold [N, K] weights (transB=1)");
        }
        long[] dims = Tensors.dims(w);
        float[] values = Tensors.toFloats(w);
        int channels = perChannel ? (int) dims[0] : 1;
        int per = values.length / channels;
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            float maxAbs = 0;
            for (int i = c * per; i < (c + 1) * per; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(values[i]));
            }
            scales[c] = maxAbs == 0 ? 1 : maxAbs / 127;
        }
        long[] scaleDims = perChannel ? new long[] {channels} : new long[0];
        String base = gemm.getName().replace('/', '_');
        String s = add(graph, Tensors.floats(base + "_w_scale", scaleDims, scales));
        String z = add(graph, Tensors.int8(base + "_w_zp", scaleDims, new byte[channels]));
        fakeQuant(graph, gemm, w.getName(), s, z, 0, activation, base);
    }

    /** The Gemm as MatMul + Add over its [K, N] weight, fake-quantized symmetric int4 per column (axis 1). */
    private static void matMulInt4(ModelGraph graph, NodeProto gemm, String activation) {
        TensorProto w = graph.initializer(gemm.getInput(1)).orElseThrow();
        long[] dims = Tensors.dims(w);
        int n = (int) dims[0];
        int k = (int) dims[1];
        float[] nk = Tensors.toFloats(w);
        float[] kn = new float[k * n];
        float[] maxAbs = new float[n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < k; i++) {
                kn[i * n + j] = nk[j * k + i];
                maxAbs[j] = Math.max(maxAbs[j], Math.abs(nk[j * k + i]));
            }
        }
        float[] scales = new float[n];
        for (int j = 0; j < n; j++) {
            scales[j] = maxAbs[j] == 0 ? 1 : maxAbs[j] / 7;
        }
        String base = gemm.getName().replace('/', '_');
        String weight = add(graph, Tensors.floats(base + "_w_kn", new long[] {k, n}, kn));
        String s = add(graph, Tensors.floats(base + "_w_scale", new long[] {n}, scales));
        String z = add(graph, Tensors.int4(base + "_w_zp", new long[] {n}, new int[n]));
        String product = base + "_matmul_out";
        NodeProto matmul = Nodes.node("MatMul", List.of(activation, weight), List.of(product), base + "_MatMul");
        NodeProto bias = Nodes.node("Add", List.of(product, gemm.getInput(2)), List.of(gemm.getOutput(0)),
                base + "_bias");
        graph.removeNode(graph.node(gemm.getName()).orElseThrow());
        graph.addNode(matmul);
        graph.addNode(bias);
        graph.removeInitializer(w.getName());
        fakeQuant(graph, matmul, weight, s, z, 1, activation, base);
    }

    private static void fakeQuant(ModelGraph graph, NodeProto layer, String weight, String scale, String zp,
            int axis, String activation, String base) {
        String q = base + "_w_q";
        String dq = base + "_w_dq";
        graph.addNode(Nodes.node("QuantizeLinear", List.of(weight, scale, zp), List.of(q), base + "_w_QuantizeLinear",
                Nodes.intAttr("axis", axis)));
        graph.addNode(Nodes.node("DequantizeLinear", List.of(q, scale, zp), List.of(dq),
                base + "_w_DequantizeLinear", Nodes.intAttr("axis", axis)));
        graph.replaceInput(graph.node(layer.getName()).orElseThrow(), weight, dq);
    }

    private static String add(ModelGraph graph, TensorProto tensor) {
        graph.addInitializer(tensor);
        return tensor.getName();
    }

    static List<String> opTypes(Path model) throws Exception {
        List<String> ops = new ArrayList<>();
        OnnxModel.load(model).graph().nodes().forEach(n -> ops.add(n.getOpType()));
        return ops;
    }
}
