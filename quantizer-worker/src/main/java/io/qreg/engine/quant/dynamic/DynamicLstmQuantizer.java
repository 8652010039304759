package io.qreg.engine.quant.dynamic;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.LinearRewriter;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rewrites an LSTM with constant float W and R into com.microsoft {@code DynamicQuantizeLSTM}, as ONNX
 * Runtime's {@code quantize_dynamic} does. Per ORT's ContribOperators schema the op takes the LSTM's eight
 * inputs, then {@code W_scale, W_zero_point, R_scale, R_zero_point}; W and R are transposed to
 * {@code [num_directions, input_size, 4·hidden]} and {@code [num_directions, hidden, 4·hidden]} (the
 * [K, N] layout of its u8s8 GEMM) and quantized per direction ({@code [num_directions]} scales) or per
 * gate column ({@code [num_directions, 4·hidden]}). The CPU kernel rejects an int8 weight whose zero
 * points are not 0, so the weights are always symmetric.
 */
final class DynamicLstmQuantizer implements OpQuantizer {

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        String name = Nodes.reportName(node);
        Optional<TensorProto> w = node.getInputCount() > 2 ? graph.initializer(node.getInput(1)) : Optional.empty();
        Optional<TensorProto> r = node.getInputCount() > 2 ? graph.initializer(node.getInput(2)) : Optional.empty();
        if (w.isEmpty() || r.isEmpty() || !floatRank3(w.get()) || !floatRank3(r.get())) {
            return LayerReport.kept(name, "LSTM", LayerReport.Status.UNSUPPORTED,
                    "W and R are not both constant float32 initializers of rank 3");
        }
        if (Nodes.attrInt(node, "layout", 0) != 0) {
            return LayerReport.kept(name, "LSTM", LayerReport.Status.UNSUPPORTED,
                    "layout=1 (batch first) has no DynamicQuantizeLSTM form");
        }
        boolean perChannel = context.options().perChannel();
        String base = node.getName().isEmpty() ? node.getOutput(0) : node.getName();
        Quantized qw = quantize(graph, w.get(), perChannel);
        Quantized qr = quantize(graph, r.get(), perChannel);
        List<String> inputs = new ArrayList<>(List.of(node.getInput(0), qw.codes(), qr.codes()));
        for (int optional = 3; optional < 8; optional++) {
            inputs.add(optional < node.getInputCount() ? node.getInput(optional) : "");
        }
        inputs.addAll(List.of(qw.scale(), qw.zeroPoint(), qr.scale(), qr.zeroPoint()));
        NodeProto quantized = node.toBuilder().clearInput().addAllInput(inputs).setDomain(DynamicMatMulQuantizer.MS_DOMAIN)
                .setOpType("DynamicQuantizeLSTM").setName(graph.uniqueName(base + "_DynamicQuantizeLSTM")).build();
        graph.replaceNode(node, quantized);
        context.model().ensureOpset(DynamicMatMulQuantizer.MS_DOMAIN, 1);
        LinearRewriter.dropIfUnused(graph, w.get().getName());
        LinearRewriter.dropIfUnused(graph, r.get().getName());
        String detail = "int8 " + (perChannel ? "per-channel" : "per-direction") + " symmetric W and R,"
                + " DynamicQuantizeLSTM" + (context.options().symmetric() ? ""
                        : " (symmetric: the kernel requires zero points of 0 for int8 weights)");
        return LayerReport.quantized(name, "LSTM", detail, 4 * (qw.elements() + qr.elements()),
                qw.bytes() + qr.bytes());
    }

    private static boolean floatRank3(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() == 3;
    }

    /** Names of the written codes, scale and zero point, and what they cost. */
    private record Quantized(String codes, String scale, String zeroPoint, long elements, long bytes) {
    }

    /** {@code [D, 4H, K]} float to {@code [D, K, 4H]} int8 codes, each direction quantized on its own. */
    private static Quantized quantize(ModelGraph graph, TensorProto weight, boolean perChannel) {
        int directions = Math.toIntExact(weight.getDims(0));
        int n = Math.toIntExact(weight.getDims(1));
        int k = Math.toIntExact(weight.getDims(2));
        float[] values = Tensors.toFloats(weight);
        byte[] codes = new byte[directions * k * n];
        int groups = perChannel ? n : 1;
        float[] scales = new float[directions * groups];
        float[] transposed = new float[k * n];
        for (int d = 0; d < directions; d++) {
            int offset = d * n * k;
            for (int row = 0; row < n; row++) {
                for (int col = 0; col < k; col++) {
                    transposed[col * n + row] = values[offset + row * k + col];
                }
            }
            Int8Weights q = Int8Weights.quantize(transposed, k, n, perChannel, true);
            System.arraycopy(q.values(), 0, codes, offset, k * n);
            System.arraycopy(q.scales(), 0, scales, d * groups, groups);
        }
        long[] paramDims = perChannel ? new long[] {directions, n} : new long[] {directions};
        String codesName = graph.uniqueName(weight.getName() + "_quantized");
        String scaleName = graph.uniqueName(weight.getName() + "_scale");
        String zeroPointName = graph.uniqueName(weight.getName() + "_zero_point");
        graph.addInitializer(Tensors.int8(codesName, new long[] {directions, k, n}, codes));
        graph.addInitializer(Tensors.floats(scaleName, paramDims, scales));
        graph.addInitializer(Tensors.int8(zeroPointName, paramDims, new byte[scales.length]));
        return new Quantized(codesName, scaleName, zeroPointName, codes.length, codes.length + 5L * scales.length);
    }
}
