package io.qreg.engine.quant.qdq;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.npy.NpyArray;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StaticQdqPassDigitsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1} per-channel={2}")
    @CsvSource({
        "digits_mlp, MINMAX, false", "digits_mlp, PERCENTILE, false", "digits_mlp, ENTROPY, false",
        "digits_cnn, MINMAX, false", "digits_cnn, PERCENTILE, false", "digits_cnn, ENTROPY, false",
        "digits_cnn, MINMAX, true", "digits_mlp, ENTROPY, true"})
    void int8StaticKeepsAccuracyWithinHalfAPointOfFp32(String name, CalibrationMethod method, boolean perChannel)
            throws Exception {
        boolean image = name.equals("digits_cnn");
        Path model = QdqFixtures.copy(name + ".onnx", dir);
        Path calibration = QdqFixtures.copy(image ? "digits_calib_x_img.npy" : "digits_calib_x.npy", dir);
        NpyArray x = QdqFixtures.npy(image ? "digits_eval_x_img.npy" : "digits_eval_x.npy");
        NpyArray y = QdqFixtures.npy("digits_eval_y.npy");
        Path out = dir.resolve("q.onnx");

        QuantizationContext context = QdqFixtures.quantize(model,
                QdqFixtures.options(method, perChannel, true, Map.of("input", calibration)), out);

        double fp32 = QdqFixtures.accuracy(model, "input", x, y);
        double int8 = QdqFixtures.accuracy(out, "input", x, y); // also proves ONNX Runtime loads it
        assertThat(fp32).isEqualTo(image ? 0.986 : 0.978);
        assertThat(int8).isGreaterThanOrEqualTo(fp32 - 0.005);
        assertThat(QdqFixtures.count(out, "QuantizeLinear")).isPositive();
        assertThat(QdqFixtures.count(out, "DequantizeLinear")).isGreaterThan(QdqFixtures.count(out, "QuantizeLinear"));
        assertThat(context.layers()).filteredOn(l -> Set.of("Conv", "Gemm").contains(l.opType()))
                .isNotEmpty().allMatch(l -> l.status() == LayerReport.Status.QUANTIZED);
    }

    @Test
    void convLayersGetInt8WeightsPerChannelInt32BiasAndTheirReluFoldedIntoTheOutputQ() throws Exception {
        Path model = QdqFixtures.copy("digits_cnn.onnx", dir);
        Path calibration = QdqFixtures.copy("digits_calib_x_img.npy", dir);
        Path out = dir.resolve("q.onnx");

        QuantizationContext context = QdqFixtures.quantize(model,
                QdqFixtures.options(CalibrationMethod.MINMAX, true, true, Map.of("input", calibration)), out);

        ModelGraph g = OnnxModel.load(out).graph();
        NodeProto conv = g.node("/c1/Conv").orElseThrow();
        NodeProto weightDq = g.producer(conv.getInput(1)).orElseThrow();
        assertThat(weightDq.getOpType()).isEqualTo("DequantizeLinear");
        assertThat(Nodes.attrInt(weightDq, "axis", -1)).isZero();
        assertThat(g.initializer(weightDq.getInput(0)).orElseThrow().getDataType())
                .isEqualTo(TensorProto.DataType.INT8_VALUE);
        assertThat(g.initializer(weightDq.getInput(1)).orElseThrow().getDimsList()).containsExactly(16L);
        NodeProto biasDq = g.producer(conv.getInput(2)).orElseThrow();
        assertThat(g.initializer(biasDq.getInput(0)).orElseThrow().getDataType())
                .isEqualTo(TensorProto.DataType.INT32_VALUE);
        assertThat(g.isInitializer("c1.weight")).as("float weight removed").isFalse();
        // Conv -> Relu -> Q: no Q between Conv and Relu, the Relu's output is quantized instead.
        assertThat(g.consumers(conv.getOutput(0))).extracting(NodeProto::getOpType).containsExactly("Relu");
        assertThat(g.consumers("/Relu_output_0")).extracting(NodeProto::getOpType).containsExactly("QuantizeLinear");
        assertThat(context.layers()).filteredOn(l -> l.node().equals("/Relu"))
                .singleElement().satisfies(l -> assertThat(l.status()).isEqualTo(LayerReport.Status.QUANTIZED));
        // MaxPool and Flatten pass the same scale through: their output Q reuses their input's scale.
        NodeProto maxPool = g.node("/MaxPool").orElseThrow();
        NodeProto inQ = g.producer(g.producer(maxPool.getInput(0)).orElseThrow().getInput(0)).orElseThrow();
        NodeProto outQ = g.consumers(maxPool.getOutput(0)).get(0);
        assertThat(outQ.getOpType()).isEqualTo("QuantizeLinear");
        assertThat(g.initializer(outQ.getInput(1)).orElseThrow().getRawData())
                .isEqualTo(g.initializer(inQ.getInput(1)).orElseThrow().getRawData());
        // The final logits stay float.
        assertThat(g.producer("logits").orElseThrow().getOpType()).isEqualTo("Gemm");
        assertThat(g.initializers().stream().filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE
                && t.getDimsCount() > 1)).as("no float weight matrices left").isEmpty();
    }

    @Test
    void excludedNodesAreReportedAndLeftFloat() throws Exception {
        Path model = QdqFixtures.copy("digits_mlp.onnx", dir);
        Path calibration = QdqFixtures.copy("digits_calib_x.npy", dir);
        Path out = dir.resolve("q.onnx");
        QuantizationOptions options = QdqFixtures.options(CalibrationMethod.MINMAX, false, true,
                Map.of("input", calibration)).withExcludeNodes(Set.of("/f3/Gemm"));

        QuantizationContext context = QdqFixtures.quantize(model, options, out);

        assertThat(context.layers()).filteredOn(l -> l.node().equals("/f3/Gemm")).singleElement()
                .satisfies(l -> assertThat(l.status()).isEqualTo(LayerReport.Status.EXCLUDED));
        ModelGraph g = OnnxModel.load(out).graph();
        assertThat(g.isInitializer("f3.weight")).isTrue();
        assertThat(g.node("/f3/Gemm").orElseThrow().getInput(1)).isEqualTo("f3.weight");
    }
}
