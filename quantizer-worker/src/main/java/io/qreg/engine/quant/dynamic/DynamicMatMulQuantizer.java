package io.qreg.engine.quant.dynamic;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.LinearRewriter;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a MatMul or Gemm with a constant weight into com.microsoft {@code DynamicQuantizeMatMul}:
 * inputs {@code (A float, B int8 [K, N], b_scale float, b_zero_point int8 optional, bias float [N]
 * optional)}. Per the contrib op schema, b_scale and b_zero_point are a scalar (per-tensor) or a 1-D
 * tensor of N elements (per-column), and bias is 1-D with B's last dimension; at run time the CPU kernel
 * quantizes A to uint8 with its own range and runs the u8s8 integer GEMM, then scales to float. That
 * single fused kernel is the form ONNX Runtime runs fastest on CPU, and it is valid for every 2-D
 * constant weight this quantizer accepts, so the unfused DynamicQuantizeLinear + MatMulInteger chain
 * is never needed. A Gemm bias that is not [N] is added by a separate Add.
 */
final class DynamicMatMulQuantizer implements OpQuantizer {

    static final String MS_DOMAIN = "com.microsoft";

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        ConstantLinear.Match match = ConstantLinear.match(graph, node);
        String name = Nodes.reportName(node);
        if (!match.matched()) {
            return LayerReport.kept(name, node.getOpType(), LayerReport.Status.UNSUPPORTED, match.reason());
        }
        ConstantLinear layer = match.layer();
        boolean symmetric = context.options().symmetric();
        Int8Weights q = Int8Weights.quantize(layer.weight(), layer.k(), layer.n(), context.options().perChannel(),
                symmetric);
        String base = layer.baseName();
        String bName = graph.uniqueName(layer.weightName() + "_quantized");
        String scaleName = graph.uniqueName(base + "_b_scale");
        graph.addInitializer(Tensors.int8(bName, new long[] {layer.k(), layer.n()}, q.values()));
        long[] paramDims = q.perChannel() ? new long[] {layer.n()} : new long[0];
        graph.addInitializer(Tensors.floats(scaleName, paramDims, q.scales()));
        List<String> inputs = new ArrayList<>(List.of(layer.input(), bName, scaleName));
        if (!symmetric) {
            String zpName = graph.uniqueName(base + "_b_zero_point");
            graph.addInitializer(Tensors.int8(zpName, paramDims, q.zeroPoints()));
            inputs.add(zpName);
        }
        boolean fuseBias = layer.hasVectorBias();
        if (fuseBias) {
            if (symmetric) {
                inputs.add(""); // omitted optional b_zero_point: the schema's default is 0
            }
            inputs.add(LinearRewriter.ensureBias(graph, layer.bias()));
        }
        String nodeName = graph.uniqueName(base + "_DynamicQuantizeMatMul");
        LinearRewriter.replace(graph, layer, fuseBias,
                out -> Nodes.node(MS_DOMAIN, "DynamicQuantizeMatMul", inputs, List.of(out), nodeName));
        context.model().ensureOpset(MS_DOMAIN, 1);
        String detail = "int8 " + (q.perChannel() ? "per-channel" : "per-tensor") + " "
                + (symmetric ? "symmetric" : "asymmetric") + ", DynamicQuantizeMatMul"
                + (layer.bias() == null ? "" : fuseBias ? " with fused bias" : " + Add bias")
                + (node.getOpType().equals("Gemm") ? " (from Gemm)" : "");
        return LayerReport.quantized(name, node.getOpType(), detail, layer.weightBytes(), q.bytes(!symmetric));
    }
}
