package io.qreg.engine.quant.weightonly;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.weightonly.awq.Awq;
import io.qreg.engine.quant.weightonly.awq.AwqFold;
import io.qreg.engine.quant.weightonly.awq.AwqResult;
import io.qreg.onnx.ir.NodeProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * AWQ as a rewrite of the float graph before the weight-only pass: for each activation read by MatMul/Gemm layers,
 * search the per-input-channel scales s on the captured statistics (the layers' weights side by side, so they share
 * s), multiply their weight rows by s and divide the activation by s ({@link AwqFold}). The pass's round-to-nearest
 * writer then stores exactly the codes the search chose, so AWQ needs no writer of its own.
 */
final class AwqScaling {

    private AwqScaling() {
    }

    /** @param readers for each activation, the output names of the layer nodes reading it, in graph order */
    static void apply(QuantizationContext context, LayerInputCapture capture, Map<String, List<String>> readers,
            int bits) throws QuantizationException {
        ModelGraph graph = context.model().graph();
        int blockSize = context.options().blockSize();
        boolean symmetric = context.options().symmetric();
        for (Map.Entry<String, List<String>> group : readers.entrySet()) {
            List<NodeProto> nodes = new ArrayList<>();
            List<ConstantLinear> layers = new ArrayList<>();
            for (String output : group.getValue()) {
                NodeProto node = graph.producer(output).orElseThrow();
                nodes.add(node);
                layers.add(ConstantLinear.match(graph, node).layer());
            }
            LayerInputs inputs = capture.take(group.getKey());
            int k = layers.get(0).k();
            int total = layers.stream().mapToInt(ConstantLinear::n).sum();
            AwqResult result = Awq.search(sideBySide(layers, k, total), k, total, inputs.meanAbs(), inputs.hessian(),
                    bits, blockSize, symmetric);
            AwqFold.Fold fold = AwqFold.apply(graph, nodes, result.scales());
            context.note(String.format(Locale.ROOT, "AWQ scaled the %d input channels of %s by s = mean|x|^%.2f"
                    + " (folded into %s %s); estimated output error %.3g of round-to-nearest's", k,
                    layers.stream().map(ConstantLinear::baseName).toList(), result.alpha(),
                    fold.target().name().toLowerCase(Locale.ROOT).replace('_', ' '), fold.node(),
                    result.rtnError() == 0 ? 1.0 : result.error() / result.rtnError()));
        }
    }

    /** The layers' [k, n_i] weights as one row-major [k, Σ n_i] matrix. */
    private static float[] sideBySide(List<ConstantLinear> layers, int k, int total) {
        float[] w = new float[k * total];
        int offset = 0;
        for (ConstantLinear layer : layers) {
            for (int row = 0; row < k; row++) {
                System.arraycopy(layer.weight(), row * layer.n(), w, row * total + offset, layer.n());
            }
            offset += layer.n();
        }
        return w;
    }

    /** Groups the layers by the activation they read, keeping graph order. */
    static Map<String, List<String>> readers(List<ConstantLinear> layers) {
        Map<String, List<String>> readers = new LinkedHashMap<>();
        for (ConstantLinear layer : layers) {
            readers.computeIfAbsent(layer.input(), t -> new ArrayList<>()).add(layer.node().getOutput(0));
        }
        return readers;
    }
}
