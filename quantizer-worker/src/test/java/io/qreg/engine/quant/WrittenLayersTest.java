package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which nodes of a graph count as layers, and at what precision, whatever any pass claimed. */
class WrittenLayersTest {

    private static ModelGraph graph(GraphProto.Builder graph) {
        return OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph.setName("g")
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addOutput(ValueInfoProto.newBuilder().setName("y")))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build()).graph();
    }

    @Test
    void recurrentAndTransposedConvolutionWeightsLeftAloneCountAsFloat32Layers() {
        ModelGraph g = graph(GraphProto.newBuilder()
                .addInitializer(Tensors.floats("W", new long[] {1, 8, 3}, new float[24]))
                .addInitializer(Tensors.floats("R", new long[] {1, 8, 2}, new float[16]))
                .addInitializer(Tensors.floats("B", new long[] {1, 16}, new float[16]))
                .addInitializer(Tensors.floats("k", new long[] {2, 1, 3, 3}, new float[18]))
                .addNode(Nodes.node("LSTM", List.of("x", "W", "R", "B"), List.of("h"), "lstm"))
                .addNode(Nodes.node("ConvTranspose", List.of("h", "k"), List.of("y"), "deconv")));

        assertThat(WrittenLayers.of(g)).containsExactly(
                new WrittenLayer("lstm", "LSTM", WeightPrecision.FP32, 24 + 16, 40 * 32),
                new WrittenLayer("deconv", "ConvTranspose", WeightPrecision.FP32, 18, 18 * 32));
    }

    @Test
    void activationProductsAndIntegerLookupsAreNotLayers() {
        ModelGraph g = graph(GraphProto.newBuilder()
                .addInitializer(Tensors.int64("dims", new long[] {3}, new long[] {1, 2, 3}))
                .addInitializer(Tensors.int64("i", new long[0], new long[] {1}))
                .addNode(Nodes.node("MatMul", List.of("x", "x"), List.of("scores"), "attention"))
                .addNode(Nodes.node("Gather", List.of("dims", "i"), List.of("y"), "shape_lookup")));

        assertThat(WrittenLayers.of(g)).isEmpty();
    }

    @Test
    void aWeightBehindDequantizeLinearIsInt8OnlyWhenItsCodesAreIntegers() {
        ModelGraph g = graph(GraphProto.newBuilder()
                .addInitializer(Tensors.int8("wq", new long[] {4, 4}, new byte[16]))
                .addInitializer(Tensors.floats("s", new long[0], new float[] {0.1f}))
                .addInitializer(Tensors.int8("zp", new long[0], new byte[1]))
                .addInitializer(Tensors.floats("wf", new long[] {4, 4}, new float[16]))
                .addNode(Nodes.node("DequantizeLinear", List.of("wq", "s", "zp"), List.of("w"), "dq"))
                .addNode(Nodes.node("MatMul", List.of("x", "w"), List.of("a"), "quantized"))
                // A Q/DQ round trip of a float weight still stores float32: it is not an int8 layer.
                .addNode(Nodes.node("QuantizeLinear", List.of("wf", "s", "zp"), List.of("wfq"), "q2"))
                .addNode(Nodes.node("DequantizeLinear", List.of("wfq", "s", "zp"), List.of("wf2"), "dq2"))
                .addNode(Nodes.node("MatMul", List.of("a", "wf2"), List.of("b"), "fake"))
                .addNode(Nodes.node("MatMul", List.of("b", "wf"), List.of("y"), "float")));

        assertThat(WrittenLayers.of(g)).containsExactly(
                new WrittenLayer("quantized", "MatMul", WeightPrecision.INT8, 16, 16 * 8 + 32 + 8),
                new WrittenLayer("fake", "MatMul", WeightPrecision.FP32, 16, 16 * 32),
                new WrittenLayer("float", "MatMul", WeightPrecision.FP32, 16, 16 * 32));
    }

    @Test
    void aFusedAttentionsFloatProjectionAndTheDynamicQuantizedLstmsInt8WeightsAreLayers() {
        ModelGraph g = graph(GraphProto.newBuilder()
                .addInitializer(Tensors.floats("qkv", new long[] {4, 12}, new float[48]))
                .addInitializer(Tensors.int8("Wq", new long[] {1, 4, 8}, new byte[32]))
                .addInitializer(Tensors.int8("Rq", new long[] {1, 2, 8}, new byte[16]))
                .addInitializer(Tensors.floats("ws", new long[] {1}, new float[] {0.1f}))
                .addInitializer(Tensors.int8("wz", new long[] {1}, new byte[1]))
                .addInitializer(Tensors.floats("rs", new long[] {1}, new float[] {0.1f}))
                .addInitializer(Tensors.int8("rz", new long[] {1}, new byte[1]))
                .addNode(Nodes.node("com.microsoft", "Attention", List.of("x", "qkv"), List.of("a"), "attention"))
                .addNode(Nodes.node("com.microsoft", "DynamicQuantizeLSTM", List.of("a", "Wq", "Rq", "", "", "", "",
                        "", "ws", "wz", "rs", "rz"), List.of("", "y"), "lstm")));

        assertThat(WrittenLayers.of(g)).containsExactly(
                new WrittenLayer("attention", "Attention", WeightPrecision.FP32, 48, 48 * 32),
                new WrittenLayer("lstm", "DynamicQuantizeLSTM", WeightPrecision.INT8, 48, 48 * 8 + 2 * (32 + 8)));
    }
}
