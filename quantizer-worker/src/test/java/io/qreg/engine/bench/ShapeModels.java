package io.qreg.engine.bench;

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

/** Tiny generated models whose input declares symbolic dimensions or no shape at all, for the benchmark tests. */
public final class ShapeModels {

    private ShapeModels() {
    }

    /** y = x · W with W [4, 3]; x is float32 of the given dims (null: no shape at all). */
    public static Path model(Path dir, String file, TensorShapeProto shape) throws IOException {
        TypeProto.Tensor.Builder type = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE);
        if (shape != null) {
            type.setShape(shape);
        }
        GraphProto graph = GraphProto.newBuilder().setName("mm")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(type)))
                .addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))))
                .addInitializer(Tensors.floats("w", new long[] {4, 3}, new float[12]))
                .addNode(Nodes.node("MatMul", List.of("x", "w"), List.of("y"), "mm"))
                .build();
        Path path = dir.resolve(file);
        OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build()).save(path);
        return path;
    }

    public static TensorShapeProto symbolic(String... names) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (String name : names) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(name));
        }
        return shape.build();
    }
}
