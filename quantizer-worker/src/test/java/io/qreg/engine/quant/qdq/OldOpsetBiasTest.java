package io.qreg.engine.quant.qdq;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.npy.NpyArray;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opsets 10-12 have no per-axis DequantizeLinear: a Conv or Gemm bias must be dequantized with one scalar scale.
 * digits_cnn (Conv+bias, Relu, MaxPool, Flatten, Gemm+bias), re-declared as opset 11, quantizes statically and
 * keeps its accuracy on the digits evaluation set.
 */
class OldOpsetBiasTest {

    @TempDir
    Path dir;

    @Test
    void anOpset11CnnWithBiasesQuantizesStaticallyWithinHalfAPointOfFp32() throws Exception {
        ModelProto cnn = ModelProto.parseFrom(Files.readAllBytes(QdqFixtures.copy("digits_cnn.onnx", dir)));
        ModelProto.Builder old = cnn.toBuilder().clearOpsetImport();
        for (OperatorSetIdProto opset : cnn.getOpsetImportList()) {
            old.addOpsetImport(opset.getDomain().isEmpty() ? opset.toBuilder().setVersion(11).build() : opset);
        }
        Path fp32 = dir.resolve("cnn11.onnx");
        OnnxModel.of(old.build()).save(fp32);
        Path calibration = QdqFixtures.copy("digits_calib_x_img.npy", dir);
        NpyArray x = QdqFixtures.npy("digits_eval_x_img.npy");
        NpyArray y = QdqFixtures.npy("digits_eval_y.npy");
        Path out = dir.resolve("cnn11-int8.onnx");

        QuantizationReport report = Quantizer.quantize(fp32, out, QdqFixtures.options(CalibrationMethod.MINMAX,
                false, true, Map.of("input", calibration)), null);

        ModelGraph graph = OnnxModel.load(out).graph();
        assertThat(OnnxModel.load(out).opsetVersion("").getAsLong()).isEqualTo(11);
        long biases = 0;
        for (NodeProto node : graph.nodes()) {
            if (!node.getOpType().equals("Conv") && !node.getOpType().equals("Gemm") || node.getInputCount() < 3) {
                continue;
            }
            NodeProto biasDq = graph.producer(node.getInput(2)).orElseThrow();
            assertThat(biasDq.getOpType()).isEqualTo("DequantizeLinear");
            assertThat(Nodes.attrInt(biasDq, "axis", Long.MIN_VALUE)).as("no axis before opset 13")
                    .isEqualTo(Long.MIN_VALUE);
            assertThat(graph.initializer(biasDq.getInput(1)).orElseThrow().getDimsCount()).as("scalar scale").isZero();
            biases++;
        }
        assertThat(biases).as("both Convs and both Gemms keep an int32 bias").isEqualTo(4);
        double fp32Accuracy = QdqFixtures.accuracy(fp32, "input", x, y);
        double int8Accuracy = QdqFixtures.accuracy(out, "input", x, y);
        assertThat(int8Accuracy).isGreaterThanOrEqualTo(fp32Accuracy - 0.005);
        assertThat(report.verification().top1Agreement()).isGreaterThan(0.9);
    }
}
