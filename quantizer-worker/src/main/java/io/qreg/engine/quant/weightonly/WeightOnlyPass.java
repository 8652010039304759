package io.qreg.engine.quant.weightonly;

import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.engine.quant.EmbeddingQuantizer;
import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.OpTablePass;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.onnx.ir.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * int4-weight / int8-weight: MatMul and Gemm weights block-quantized into MatMulNBits; activations stay
 * float. Constant Gather tables (embeddings) are stored as int8 (MatMulNBits has no gather form);
 * {@code --exclude-op-types Gather} keeps them float.
 */
public final class WeightOnlyPass extends OpTablePass {

    private final int bits;
    private final MatMulNBitsQuantizer matmul;
    private final OpQuantizer gather = new EmbeddingQuantizer();

    /** @param bits 4 for int4-weight, 8 for int8-weight (the bit widths MatMulNBits' CPU kernel takes) */
    public WeightOnlyPass(int bits) {
        super("int" + bits + "-weight");
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("weight-only quantization supports 4 or 8 bits, got " + bits);
        }
        this.bits = bits;
        this.matmul = new MatMulNBitsQuantizer(bits);
    }

    /**
     * For an algorithm that reads layer inputs, plans their capture: every MatMul/Gemm this pass will rewrite
     * registers the tensor it reads, and {@link LayerInputCapture} captures them group by group on demand.
     */
    @Override
    protected void prepare(QuantizationContext context) throws QuantizationException {
        QuantizationOptions options = context.options();
        Algorithm algorithm = options.algorithm();
        if (!algorithm.needsCalibration()) {
            return;
        }
        if (options.calibrationInputs().isEmpty()) {
            throw new QuantizationException("algorithm " + algorithm.wireName() + " needs calibration data"
                    + " (--calibration / calibrationDataset)");
        }
        ModelGraph graph = context.model().graph();
        CalibrationData data = CalibrationData.load(graph, options.calibrationInputs());
        graph.topologicalSort();
        LayerInputCapture capture = new LayerInputCapture(context.model(), data,
                LayerInputCapture.DEFAULT_BUDGET_BYTES, context.progress());
        List<ConstantLinear> layers = new ArrayList<>();
        for (NodeProto node : graph.nodes()) {
            boolean linear = (node.getOpType().equals("MatMul") || node.getOpType().equals("Gemm"))
                    && (node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx"));
            if (linear && options.allows(node.getName(), node.getOpType())) {
                ConstantLinear.Match match = ConstantLinear.match(graph, node);
                if (match.matched()) {
                    layers.add(match.layer());
                }
            }
        }
        if (algorithm == Algorithm.AWQ) {
            // One search per activation: the layers reading it share its scales, so it is captured once.
            Map<String, List<String>> readers = AwqScaling.readers(layers);
            readers.keySet().forEach(tensor -> capture.plan(tensor, widthOf(layers, tensor)));
            AwqScaling.apply(context, capture, readers, bits);
            return;
        }
        layers.forEach(layer -> capture.plan(layer.input(), layer.k()));
        matmul.useInputs(capture);
    }

    private static int widthOf(List<ConstantLinear> layers, String tensor) {
        return layers.stream().filter(l -> l.input().equals(tensor)).findFirst().orElseThrow().k();
    }

    @Override
    protected Map<String, OpQuantizer> table() {
        return Map.of("MatMul", matmul, "Gemm", matmul, "Gather", gather);
    }
}
