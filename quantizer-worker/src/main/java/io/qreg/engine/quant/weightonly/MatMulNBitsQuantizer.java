package io.qreg.engine.quant.weightonly;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.LinearRewriter;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.weightonly.hqq.Hqq;
import io.qreg.engine.quant.weightonly.hqq.HqqOptions;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a MatMul or Gemm with a constant weight into com.microsoft {@code MatMulNBits} (attributes K,
 * N, bits, block_size; inputs A, B, scales, optional zero_points), followed by an Add for any bias. Gemm
 * is handled too (ONNX Runtime's own 4-bit quantizer skips it): its weight is transposed here when
 * transB=1 so B is always laid out per output column. accuracy_level is left at its default (0, float
 * compute on the dequantized weight) because the int8-activation kernels trade accuracy for speed.
 */
final class MatMulNBitsQuantizer implements OpQuantizer {

    static final String MS_DOMAIN = "com.microsoft";

    private final int bits;
    /** Set by the pass when the algorithm reads layer inputs (GPTQ); null for RTN. */
    private LayerInputCapture inputs;

    MatMulNBitsQuantizer(int bits) {
        this.bits = bits;
    }

    void useInputs(LayerInputCapture capture) {
        this.inputs = capture;
    }

    @Override
    public LayerReport quantize(ModelGraph graph, NodeProto node, QuantizationContext context)
            throws QuantizationException {
        ConstantLinear.Match match = ConstantLinear.match(graph, node);
        String name = Nodes.reportName(node);
        if (!match.matched()) {
            return LayerReport.kept(name, node.getOpType(), LayerReport.Status.UNSUPPORTED, match.reason());
        }
        ConstantLinear layer = match.layer();
        int blockSize = context.options().blockSize();
        boolean symmetric = context.options().symmetric();
        Algorithm algorithm = context.options().algorithm();
        BlockQuantizedWeight q = quantizeWeight(layer, algorithm, context);
        String base = layer.baseName();
        String bName = graph.uniqueName(layer.weightName() + "_Q" + bits);
        String scalesName = graph.uniqueName(base + "_scales");
        graph.addInitializer(Tensors.uint8(bName, new long[] {q.n(), q.blocks(), q.blobSize()}, q.packed()));
        graph.addInitializer(Tensors.floats(scalesName, new long[] {(long) q.n() * q.blocks()}, q.scales()));
        List<String> inputs = new ArrayList<>(List.of(layer.input(), bName, scalesName));
        if (q.zeroPoints() != null) {
            String zpName = graph.uniqueName(base + "_zero_points");
            graph.addInitializer(Tensors.uint8(zpName, new long[] {q.zeroPoints().length}, q.zeroPoints()));
            inputs.add(zpName);
        } else if (q.floatZeroPoints() != null) {
            // HQQ's fractional zero points: the contrib op takes them in the scales' type, [N · n_blocks].
            String zpName = graph.uniqueName(base + "_zero_points");
            graph.addInitializer(Tensors.floats(zpName, new long[] {q.floatZeroPoints().length},
                    q.floatZeroPoints()));
            inputs.add(zpName);
        }
        String nodeName = graph.uniqueName(base + "_MatMulNBits");
        LinearRewriter.replace(graph, layer, false, out -> Nodes.node(MS_DOMAIN, "MatMulNBits", inputs,
                List.of(out), nodeName, Nodes.intAttr("K", layer.k()), Nodes.intAttr("N", layer.n()),
                Nodes.intAttr("bits", bits), Nodes.intAttr("block_size", blockSize)));
        context.model().ensureOpset(MS_DOMAIN, 1);
        String detail = "int" + bits + " block " + blockSize + " " + (symmetric ? "symmetric" : "with zero points")
                + ", " + algorithm.label() + ", MatMulNBits" + (layer.bias() == null ? "" : " + Add bias")
                + (node.getOpType().equals("Gemm") ? " (from Gemm)" : "");
        return LayerReport.quantized(name, node.getOpType(), detail, layer.weightBytes(), q.bytes());
    }

    /**
     * The one place an algorithm is chosen per layer. AWQ has already scaled the float graph in
     * {@link WeightOnlyPass#prepare} ({@link AwqScaling}), so its codes are round-to-nearest of the scaled weight;
     * HQQ needs no data; GPTQ reads the layer inputs the pass captured.
     */
    private BlockQuantizedWeight quantizeWeight(ConstantLinear layer, Algorithm algorithm, QuantizationContext context)
            throws QuantizationException {
        int blockSize = context.options().blockSize();
        boolean symmetric = context.options().symmetric();
        return switch (algorithm) {
            case RTN, AWQ -> BlockQuantizedWeight.quantize(layer.weight(), layer.k(), layer.n(), bits, blockSize,
                    symmetric);
            case HQQ -> hqq(layer, blockSize, symmetric);
            case GPTQ -> {
                if (inputs == null) {
                    throw new IllegalStateException("GPTQ runs with the layer inputs captured by WeightOnlyPass");
                }
                try {
                    yield Gptq.quantize(layer.weight(), layer.k(), layer.n(), inputs.take(layer.input()), bits,
                            blockSize, symmetric, context.options().gptqDamp(), context.options().actOrder());
                } catch (ArithmeticException e) {
                    throw new QuantizationException("GPTQ cannot quantize " + layer.baseName() + ": " + e.getMessage()
                            + "; raise --gptq-damp", e);
                }
            }
        };
    }

    /**
     * With zero points HQQ optimises them as floats, which ONNX Runtime's MatMulNBits takes at 4 bits only; symmetric
     * HQQ keeps the kernel's default zero point and optimises the scales instead.
     */
    private BlockQuantizedWeight hqq(ConstantLinear layer, int blockSize, boolean symmetric)
            throws QuantizationException {
        if (symmetric) {
            return Hqq.quantizeSymmetric(layer.weight(), layer.k(), layer.n(), bits, blockSize, HqqOptions.defaults());
        }
        if (bits != 4) {
            throw new QuantizationException("hqq with zero points needs int4-weight: ONNX Runtime's MatMulNBits takes"
                    + " HQQ's float zero points at 4 bits only; use --symmetric for int8-weight");
        }
        return Hqq.quantize(layer.weight(), layer.k(), layer.n(), bits, blockSize);
    }
}
