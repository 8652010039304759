package io.qreg.engine.quant.qdq;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.tensor.Tensors;
import io.qreg.npy.NpyDType;
import io.qreg.npy.NpyWriter;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorShapeProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedActivationTest {

    @TempDir
    Path dir;

    @Test
    void anActivationReadByTwoMatMulsGetsOneQdqPairBothRead() throws Exception {
        Random random = new Random(7);
        float[] w = new float[16];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        GraphProto graph = GraphProto.newBuilder().setName("shared")
                .addInput(floatInput("x", 4))
                .addOutput(ValueInfoProto.newBuilder().setName("y").setType(floatType()))
                .addInitializer(Tensors.floats("w1", new long[] {4, 4}, w))
                .addInitializer(Tensors.floats("w2", new long[] {4, 4}, w))
                .addNode(Nodes.node("MatMul", List.of("x", "w1"), List.of("a"), "mm1"))
                .addNode(Nodes.node("MatMul", List.of("x", "w2"), List.of("b"), "mm2"))
                .addNode(Nodes.node("Add", List.of("a", "b"), List.of("y"), "add"))
                .build();
        Path model = dir.resolve("shared.onnx");
        OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build()).save(model);
        Path calibration = dir.resolve("x.npy");
        float[] samples = new float[32 * 4];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) random.nextGaussian();
        }
        try (OutputStream out = Files.newOutputStream(calibration)) {
            NpyWriter.write(out, NpyDType.FLOAT32, new long[] {32, 4}, samples);
        }
        Path out = dir.resolve("q.onnx");

        QdqFixtures.quantize(model, QdqFixtures.options(CalibrationMethod.MINMAX, true, true,
                Map.of("x", calibration)), out);

        ModelGraph g = OnnxModel.load(out).graph();
        List<NodeProto> readersOfX = g.consumers("x");
        assertThat(readersOfX).extracting(NodeProto::getOpType).containsExactly("QuantizeLinear");
        String dq = g.consumers(readersOfX.get(0).getOutput(0)).get(0).getOutput(0);
        assertThat(g.node("mm1").orElseThrow().getInput(0)).isEqualTo(dq);
        assertThat(g.node("mm2").orElseThrow().getInput(0)).isEqualTo(dq);
        // Weights per-channel on MatMul B's output axis (its last).
        NodeProto weightDq = g.producer(g.node("mm1").orElseThrow().getInput(1)).orElseThrow();
        assertThat(Nodes.attrInt(weightDq, "axis", -1)).isEqualTo(1);
        assertThat(g.initializer(weightDq.getInput(0)).orElseThrow().getDataType())
                .isEqualTo(TensorProto.DataType.INT8_VALUE);
    }

    private static TypeProto floatType() {
        return TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE)).build();
    }

    private static ValueInfoProto floatInput(String name, long width) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))))).build();
    }
}
