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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Rewrites a Conv with a constant float weight the way ONNX Runtime's {@code quantize_dynamic} does:
 * {@code DynamicQuantizeLinear(X) → ConvInteger(x_q, W_q, x_zero_point, W_zero_point) → Cast(float)
 * → Mul(x_scale · W_scale) → Add(bias)}.
 *
 * <p>ONNX Runtime's CPU ConvInteger kernel takes uint8 for both X and W and a single weight zero point
 * (its type constraints are u8 × u8; int8 weights, which ORT's tool writes by default, fail to load with
 * "Could not find an implementation for ConvInteger"). So the weight is stored as uint8: symmetric codes
 * are int8 codes in [-127, 127] shifted by 128 with zero point 128, asymmetric ones span
 * [min(w, 0), max(w, 0)] over [0, 255]. Per-channel scales cost nothing extra because the scale is
 * applied in float after the integer convolution; per-channel zero points cannot be (one zero point
 * only), so per-channel weights are always symmetric.
 */
final class ConvIntegerQuantizer implements OpQuantizer {

    /** DynamicQuantizeLinear, which quantizes the activation at run time, exists from opset 11. */
    private static final long MIN_OPSET = 11;

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context) {
        String name = Nodes.reportName(node);
        Optional<TensorProto> weight = node.getInputCount() >= 2 ? graph.initializer(node.getInput(1))
                : Optional.empty();
        if (weight.isEmpty() || weight.get().getDataType() != TensorProto.DataType.FLOAT_VALUE
                || weight.get().getDimsCount() < 3) {
            return LayerReport.kept(name, "Conv", LayerReport.Status.UNSUPPORTED,
                    "the weight is not a constant float32 initializer of rank 3 or more");
        }
        long opset = context.model().opsetVersion("").orElse(0);
        if (opset < MIN_OPSET) {
            return LayerReport.kept(name, "Conv", LayerReport.Status.UNSUPPORTED, "DynamicQuantizeLinear needs"
                    + " opset " + MIN_OPSET + "; the model imports opset " + opset);
        }
        Optional<TensorProto> bias = Optional.empty();
        if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
            bias = graph.initializer(node.getInput(2));
            if (bias.isEmpty() || bias.get().getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                return LayerReport.kept(name, "Conv", LayerReport.Status.UNSUPPORTED,
                        "the bias '" + node.getInput(2) + "' is not a float32 initializer");
            }
        }
        TensorProto w = weight.get();
        long[] dims = Tensors.dims(w);
        int channels = Math.toIntExact(dims[0]);
        int perChannelSize = Math.toIntExact(Tensors.elementCount(w) / channels);
        boolean perChannel = context.options().perChannel();
        boolean symmetric = context.options().symmetric() || perChannel;
        Uint8Weights q = Uint8Weights.quantize(Tensors.toFloats(w), channels, perChannelSize, perChannel, symmetric);

        String base = node.getName().isEmpty() ? node.getOutput(0) : node.getName();
        String output = node.getOutput(0);
        String wq = graph.uniqueName(w.getName() + "_quantized");
        String wzp = graph.uniqueName(w.getName() + "_zero_point");
        String wscale = graph.uniqueName(w.getName() + "_scale");
        // Scales broadcast against the [N, M, spatial...] output: [M, 1, ...] per channel, a scalar per tensor.
        long[] scaleDims = new long[0];
        if (perChannel) {
            scaleDims = new long[dims.length - 1];
            Arrays.fill(scaleDims, 1);
            scaleDims[0] = channels;
        }
        graph.addInitializer(Tensors.uint8(wq, dims, q.values()));
        graph.addInitializer(Tensors.uint8(wzp, new long[0], new byte[] {q.zeroPoint()}));
        graph.addInitializer(Tensors.floats(wscale, scaleDims, q.scales()));

        String xq = graph.uniqueName(base + "_input_quantized");
        String xscale = graph.uniqueName(base + "_input_scale");
        String xzp = graph.uniqueName(base + "_input_zero_point");
        String acc = graph.uniqueName(base + "_int32");
        String accFloat = graph.uniqueName(base + "_int32_float");
        String scale = graph.uniqueName(base + "_scale");
        String scaled = bias.isPresent() ? graph.uniqueName(base + "_nobias") : output;

        NodeProto quantizeInput = graph.replaceNode(node, Nodes.node("DynamicQuantizeLinear", List.of(node.getInput(0)),
                List.of(xq, xscale, xzp), graph.uniqueName(base + "_DynamicQuantizeLinear")));
        NodeProto conv = graph.insertAfter(quantizeInput, node.toBuilder().clearInput().clearOutput().clearDomain()
                .setOpType("ConvInteger").setName(graph.uniqueName(base + "_ConvInteger"))
                .addAllInput(List.of(xq, wq, xzp, wzp)).addOutput(acc).build());
        NodeProto cast = graph.insertAfter(conv, Nodes.node("Cast", List.of(acc), List.of(accFloat),
                graph.uniqueName(base + "_Cast"), Nodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)));
        NodeProto scales = graph.insertAfter(cast, Nodes.node("Mul", List.of(xscale, wscale), List.of(scale),
                graph.uniqueName(base + "_scales_Mul")));
        NodeProto rescale = graph.insertAfter(scales, Nodes.node("Mul", List.of(accFloat, scale), List.of(scaled),
                graph.uniqueName(base + "_output_scale_Mul")));
        if (bias.isPresent()) {
            long[] biasDims = new long[dims.length - 1];
            Arrays.fill(biasDims, 1);
            biasDims[0] = channels;
            String biasName = graph.uniqueName(bias.get().getName() + "_broadcast");
            graph.addInitializer(Tensors.floats(biasName, biasDims, Tensors.toFloats(bias.get())));
            graph.insertAfter(rescale, Nodes.node("Add", List.of(scaled, biasName), List.of(output),
                    graph.uniqueName(base + "_bias_Add")));
            LinearRewriter.dropIfUnused(graph, bias.get().getName());
        }
        LinearRewriter.dropIfUnused(graph, w.getName());
        String detail = "uint8 " + (perChannel ? "per-channel" : "per-tensor") + " "
                + (symmetric ? "symmetric" : "asymmetric") + ", ConvInteger"
                + (bias.isPresent() ? " + Add bias" : "")
                + (perChannel && !context.options().symmetric()
                        ? " (per-channel is symmetric: ConvInteger takes one weight zero point)" : "");
        return LayerReport.quantized(name, "Conv", detail, 4L * channels * perChannelSize,
                (long) channels * perChannelSize + 4L * q.scales().length + 1);
    }
}
