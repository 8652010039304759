package io.qreg.engine.quant;

import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.onnx.ir.NodeProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/** Options and graph inspection shared by the method tests. */
final class QuantizedModels {

    private QuantizedModels() {
    }

    static QuantizationOptions options(Method method, boolean perChannel, boolean symmetric, int blockSize) {
        return new QuantizationOptions(method, perChannel, symmetric, blockSize, null,
                QuantizationOptions.DEFAULT_PERCENTILE, Set.of(), Set.of(), null, null, null, true);
    }

    static long count(Path model, String opType) throws IOException {
        return OnnxModel.load(model).graph().nodes().stream().map(NodeProto::getOpType).filter(opType::equals).count();
    }

    static LayerReport layer(QuantizationReport report, String node) {
        return report.layers().stream().filter(l -> l.node().equals(node)).findFirst()
                .orElseThrow(() -> new AssertionError("no report for node " + node + " in " + report.layers()));
    }
}
