package io.qreg.engine.quant.qat;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.LinearRewriter;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationPass;
import io.qreg.engine.quant.WrittenLayer;
import io.qreg.engine.quant.WrittenLayers;
import io.qreg.engine.quant.weightonly.BlockQuantizedWeight;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The qat method. Each weight fake-quant (a float constant → QuantizeLinear → DequantizeLinear) is folded:
 * the QuantizeLinear is computed here, once, exactly as ONNX Runtime would compute it at every run, and its
 * codes are stored as an integer initializer feeding the same DequantizeLinear, so the model computes what
 * it computed before and ONNX Runtime fuses the DQ pairs into integer kernels. A 4-bit MatMul weight becomes
 * MatMulNBits on the same grid ({@link NBitsImport}). Activation Q/DQ pairs are not touched. A model whose
 * weights are already integers behind DequantizeLinear is written as it is and said to be so.
 */
public final class QatImportPass implements QuantizationPass {

    /** Ops a weight may pass through unchanged on its way from its DequantizeLinear to its layer. */
    private static final Set<String> TRANSPARENT = Set.of("Identity", "Cast", "Transpose", "Reshape", "Squeeze",
            "Unsqueeze", "Flatten");

    /** What became of one weight: how it is stored now, and its bytes before and after. */
    private record Imported(String detail, long bytesBefore, long bytesAfter, boolean folded) {
    }

    /** Keyed by the DequantizeLinear output a layer reads, or by the MatMulNBits node's name. */
    private final Map<String, Imported> imported = new HashMap<>();

    @Override
    public void apply(QuantizationContext context) throws QuantizationException {
        ModelGraph graph = context.model().graph();
        List<NodeProto> dequantizers = graph.nodes().stream().filter(QatImportPass::isDequantize).toList();
        int activationPairs = 0;
        long done = 0;
        for (NodeProto dq : dequantizers) {
            Optional<TensorProto> stored = QuantGrid.constant(graph, dq.getInput(0));
            if (stored.isPresent()) {
                TensorProto codes = stored.get();
                long bytes = WrittenLayers.storedBits(codes) / 8;
                imported.put(dq.getOutput(0), new Imported(Tensors.dataType(codes).name().toLowerCase()
                        + " codes already stored behind DequantizeLinear (deployable QDQ), written unchanged",
                        bytes, bytes, false));
            } else {
                Optional<NodeProto> q = graph.producer(dq.getInput(0)).filter(QatImportPass::isQuantize);
                Optional<TensorProto> weight = q.flatMap(n -> QuantGrid.constant(graph, n.getInput(0)))
                        .filter(QatImportPass::isFloat);
                if (weight.isPresent()) {
                    fold(context, dq, q.get(), weight.get());
                } else {
                    activationPairs++;
                }
            }
            context.progress().progress("qat", ++done, dequantizers.size());
        }
        report(context, activationPairs);
    }

    private void fold(QuantizationContext context, NodeProto dq, NodeProto q, TensorProto weight)
            throws QuantizationException {
        ModelGraph graph = context.model().graph();
        long[] dims = Tensors.dims(weight);
        QuantGrid grid = QuantGrid.of(graph, q, dims);
        int[] codes = grid.quantize(Tensors.toFloats(weight));
        long before = 4L * codes.length;
        boolean onlyThisDq = graph.consumers(q.getOutput(0)).size() == 1 && !graph.isGraphOutput(q.getOutput(0));
        QuantGrid dqGrid = QuantGrid.of(graph, dq, dims);
        Optional<NodeProto> matmul = onlyThisDq ? NBitsImport.target(graph, dq, dqGrid, dims) : Optional.empty();
        String granularity = grid.perChannel() ? "per-channel (axis " + grid.axis() + ")" : "per-tensor";
        if (matmul.isPresent()) {
            BlockQuantizedWeight nbits = NBitsImport.replace(graph, matmul.get(), codes, dqGrid, dims,
                    weight.getName());
            graph.removeNode(dq);
            graph.removeNode(q);
            String name = Nodes.reportName(matmul.get());
            imported.put(name, new Imported(grid.codeType().name().toLowerCase() + " " + granularity
                    + " trained grid as MatMulNBits (block " + nbits.blockSize() + ", column scales kept)",
                    before, nbits.bytes(), true));
            context.model().ensureOpset(NBitsImport.MS_DOMAIN, 1);
        } else {
            graph.removeNode(q);
            TensorProto stored = grid.codesTensor(q.getOutput(0), dims, codes);
            graph.addInitializer(stored);
            imported.put(dq.getOutput(0), new Imported(grid.codeType().name().toLowerCase() + " " + granularity
                    + ", QuantizeLinear folded into stored codes", before,
                    WrittenLayers.storedBits(stored) / 8 + dqGrid.parameterBytes(), true));
        }
        for (int i = 0; i < q.getInputCount(); i++) {
            if (!q.getInput(i).isEmpty()) {
                LinearRewriter.dropIfUnused(graph, q.getInput(i));
            }
        }
        for (int i = 1; i < dq.getInputCount(); i++) {
            if (!dq.getInput(i).isEmpty()) {
                LinearRewriter.dropIfUnused(graph, dq.getInput(i));
            }
        }
    }

    /** One report line per weight-bearing layer, read off the rewritten graph. */
    private void report(QuantizationContext context, int activationPairs) {
        ModelGraph graph = context.model().graph();
        Map<String, NodeProto> byName = new HashMap<>();
        for (NodeProto node : graph.nodes()) {
            byName.put(Nodes.reportName(node), node);
        }
        boolean anyFolded = false;
        boolean anyStored = false;
        for (WrittenLayer layer : WrittenLayers.of(graph)) {
            Imported weight = imported.get(layer.node());
            NodeProto node = byName.get(layer.node());
            if (weight == null && node != null) {
                weight = node.getInputList().stream().map(in -> dequantizedBy(graph, in)).filter(Optional::isPresent)
                        .map(Optional::get).findFirst().orElse(null);
            }
            if (!layer.precision().quantized() || weight == null) {
                context.report(LayerReport.kept(layer.node(), layer.opType(), LayerReport.Status.KEPT_FLOAT,
                        "the QAT export has no QuantizeLinear/DequantizeLinear on this weight; left as trained"));
                continue;
            }
            anyFolded |= weight.folded();
            anyStored |= !weight.folded();
            context.report(LayerReport.quantized(layer.node(), layer.opType(), weight.detail(), weight.bytesBefore(),
                    weight.bytesAfter()));
        }
        if (anyStored && !anyFolded) {
            context.note("already in deployable QDQ form: every quantized weight is stored as integers behind"
                    + " DequantizeLinear; written unchanged");
        } else if (anyStored) {
            context.note("partly in deployable QDQ form: some weights were already stored as integers");
        }
        context.note(activationPairs + " activation QuantizeLinear/DequantizeLinear pair"
                + (activationPairs == 1 ? "" : "s") + " kept exactly as trained");
    }

    /** The import behind a layer input: its DequantizeLinear, through ops that leave a weight's values alone. */
    private Optional<Imported> dequantizedBy(ModelGraph graph, String tensor) {
        String current = tensor;
        for (int hops = 0; hops < 8 && !current.isEmpty(); hops++) {
            Imported found = imported.get(current);
            if (found != null) {
                return Optional.of(found);
            }
            Optional<NodeProto> producer = graph.producer(current);
            if (producer.isEmpty() || !TRANSPARENT.contains(producer.get().getOpType())
                    || producer.get().getInputCount() == 0) {
                return Optional.empty();
            }
            current = producer.get().getInput(0);
        }
        return Optional.empty();
    }

    private static boolean isDequantize(NodeProto n) {
        return defaultDomain(n) && n.getOpType().equals("DequantizeLinear");
    }

    private static boolean isQuantize(NodeProto n) {
        return defaultDomain(n) && n.getOpType().equals("QuantizeLinear");
    }

    private static boolean defaultDomain(NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    private static boolean isFloat(TensorProto t) {
        return switch (Tensors.dataType(t)) {
            case FLOAT, FLOAT16, DOUBLE -> true;
            default -> false;
        };
    }
}
