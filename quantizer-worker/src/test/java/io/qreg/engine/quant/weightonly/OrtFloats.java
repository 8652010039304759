package io.qreg.engine.quant.weightonly;

import ai.onnxruntime.OrtException;
import io.qreg.engine.model.OrtRunner;
import io.qreg.engine.model.OnnxModel;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorShapeProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/** Test-only: small float models (input "x" [rows, k], output "y") saved with the engine's writer, run in ORT. */
public final class OrtFloats {

    private OrtFloats() {
    }

    /** A graph builder with input x [rows, k] and output y already declared. */
    public static GraphProto.Builder graph(int k) {
        TypeProto.Tensor.Builder x = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                .setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("rows"))
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(k)));
        return GraphProto.newBuilder().setName("g")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(x)))
                .addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
    }

    public static Path save(GraphProto.Builder graph, Path file) throws IOException {
        OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1))
                .build()).save(file);
        return file;
    }

    /** Runs the model on x [rows, k] (one thread) and returns y's floats. */
    public static float[] run(Path model, float[] x, int rows, int k) throws OrtException {
        return OrtRunner.run(model, "x", x, new long[] {rows, k});
    }

    public static float[] gaussian(Random random, int count, double sigma) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * sigma);
        }
        return values;
    }

    /** [a, b] · [b, c] in double, rounded to float. */
    public static float[] matmul(float[] a, float[] b, int rows, int inner, int cols) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double sum = 0;
                for (int i = 0; i < inner; i++) {
                    sum += (double) a[r * inner + i] * b[i * cols + c];
                }
                out[r * cols + c] = (float) sum;
            }
        }
        return out;
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
