package io.qreg.engine.quant.weightonly;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.engine.quant.LinearRewriter;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Test-only: writes every constant MatMul/Gemm of a model as MatMulNBits with a weight the test's algorithm chose,
 * the same node and tensor layout {@link MatMulNBitsQuantizer} writes, plus float zero points when the weight has
 * them (the spec's zero_points of the scales' type, [N · n_blocks]).
 */
public final class NBitsRewrite {

    private NBitsRewrite() {
    }

    /** @return how many layers were rewritten */
    public static int rewrite(Path in, Path out, Function<ConstantLinear, BlockQuantizedWeight> algorithm)
            throws IOException {
        OnnxModel model = OnnxModel.load(in);
        ModelGraph graph = model.graph();
        int count = 0;
        for (NodeProto node : List.copyOf(graph.nodes())) {
            if (!node.getOpType().equals("MatMul") && !node.getOpType().equals("Gemm")) {
                continue;
            }
            ConstantLinear.Match match = ConstantLinear.match(graph, node);
            if (!match.matched()) {
                continue;
            }
            write(graph, match.layer(), algorithm.apply(match.layer()));
            count++;
        }
        model.ensureOpset(MatMulNBitsQuantizer.MS_DOMAIN, 1);
        model.save(out);
        return count;
    }

    /** Every layer rounded to nearest ({@link BlockQuantizedWeight#quantize}): the baseline the algorithms beat. */
    public static int roundToNearest(Path in, Path out, int bits, int blockSize, boolean symmetric)
            throws IOException {
        return rewrite(in, out, l -> BlockQuantizedWeight.quantize(l.weight(), l.k(), l.n(), bits, blockSize,
                symmetric));
    }

    public static void write(ModelGraph graph, ConstantLinear layer, BlockQuantizedWeight q) {
        String base = layer.baseName();
        String bName = graph.uniqueName(layer.weightName() + "_Q" + q.bits());
        String scalesName = graph.uniqueName(base + "_scales");
        graph.addInitializer(Tensors.uint8(bName, new long[] {q.n(), q.blocks(), q.blobSize()}, q.packed()));
        graph.addInitializer(Tensors.floats(scalesName, new long[] {(long) q.n() * q.blocks()}, q.scales()));
        List<String> inputs = new ArrayList<>(List.of(layer.input(), bName, scalesName));
        String zpName = graph.uniqueName(base + "_zero_points");
        if (q.zeroPoints() != null) {
            graph.addInitializer(Tensors.uint8(zpName, new long[] {q.zeroPoints().length}, q.zeroPoints()));
            inputs.add(zpName);
        } else if (q.floatZeroPoints() != null) {
            graph.addInitializer(Tensors.floats(zpName, new long[] {q.floatZeroPoints().length},
                    q.floatZeroPoints()));
            inputs.add(zpName);
        }
        String nodeName = graph.uniqueName(base + "_MatMulNBits");
        LinearRewriter.replace(graph, layer, false, out -> Nodes.node(MatMulNBitsQuantizer.MS_DOMAIN, "MatMulNBits",
                inputs, List.of(out), nodeName, Nodes.intAttr("K", layer.k()), Nodes.intAttr("N", layer.n()),
                Nodes.intAttr("bits", q.bits()), Nodes.intAttr("block_size", q.blockSize())));
    }
}
