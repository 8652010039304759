package io.qreg.engine.quant;

import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.onnx.ir.NodeProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/** Quantizing a fixture, options and graph inspection shared by the method tests. */
final class QuantizedModels {

    private QuantizedModels() {
    }

    /** A fixture's float copy, the model quantizing it wrote, and the report. */
    record Quantized(Path in, Path out, QuantizationReport report) {
    }

    /** Copies the fixture {@code model} into {@code dir} and quantizes it there with {@code options}. */
    static Quantized quantize(String model, Path dir, QuantizationOptions options)
            throws IOException, QuantizationException {
        Path in = ModelEval.copy(model, dir);
        Path out = dir.resolve("quantized-" + model);
        return new Quantized(in, out, Quantizer.quantize(in, out, options, null));
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
