package io.qreg.engine.quant;

import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorShapeProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model that quantization really breaks: y = 1 / (x · W) with W = [1000, 0.001]. One int8 scale for the whole
 * of W (per tensor, the default) rounds 0.001 to 0, so the quantized model divides by zero where the original
 * gives 1000/x: an infinity where the original output is finite.
 */
public final class DivideModel {

    private DivideModel() {
    }

    public static Path write(Path file) throws IOException {
        TypeProto.Tensor.Builder x = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                .setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1)));
        GraphProto graph = GraphProto.newBuilder().setName("divide")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(x)))
                .addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))))
                .addInitializer(Tensors.floats("w", new long[] {1, 2}, new float[] {1000f, 0.001f}))
                .addInitializer(Tensors.floats("one", new long[] {}, new float[] {1f}))
                .addNode(Nodes.node("MatMul", List.of("x", "w"), List.of("z"), "mm"))
                .addNode(Nodes.node("Div", List.of("one", "z"), List.of("y"), "div"))
                .build();
        OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build()).save(file);
        return file;
    }
}
