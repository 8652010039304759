package io.qreg.engine.quant;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.Optional;

/**
 * A {@code MatMul} or {@code Gemm} whose weight is a constant, read as {@code Y = A · W (+ bias)} with
 * {@code W} a float [K, N] matrix: the form every weight quantizer here writes out.
 *
 * <p>Gemm computes {@code alpha · A' · B' + beta · C} (ONNX Gemm, opset 11+) where {@code B' = Bᵀ} if
 * {@code transB}. Its A is 2-D, so a MatMul over the same A gives the same [M, N] result; alpha is
 * folded into W and beta into the bias here, so the rewrite needs no extra Mul.
 *
 * @param weight W in row-major [K, N] order, alpha already applied
 * @param bias the Gemm's C times beta (any shape Gemm broadcasts to [M, N]), or null for none
 * @param weightName the initializer W came from, to drop once nothing reads it
 */
public record ConstantLinear(NodeProto node, String input, String output, float[] weight, int k, int n,
        TensorProto bias, String weightName) {

    /** The weight's bytes as stored before quantization (float32). */
    public long weightBytes() {
        return 4L * k * n;
    }

    /** Whether the bias is a 1-D [N] vector, which fused ops take as their bias input. */
    public boolean hasVectorBias() {
        return bias != null && bias.getDimsCount() == 1 && bias.getDims(0) == n;
    }

    /** A readable node name for new tensor names and reports. */
    public String baseName() {
        return node.getName().isEmpty() ? node.getOutput(0) : node.getName();
    }

    /** The layer, or a reason it cannot be treated as one (reported as UNSUPPORTED). */
    public record Match(ConstantLinear layer, String reason) {
        static Match of(ConstantLinear layer) {
            return new Match(layer, null);
        }

        static Match no(String reason) {
            return new Match(null, reason);
        }

        public boolean matched() {
            return layer != null;
        }
    }

    public static Match match(ModelGraph graph, NodeProto node) {
        if (node.getInputCount() < 2 || node.getOutputCount() != 1) {
            return Match.no("unexpected inputs/outputs for " + node.getOpType());
        }
        Optional<TensorProto> b = graph.initializer(node.getInput(1));
        if (b.isEmpty()) {
            return Match.no("both inputs are activations (input B '" + node.getInput(1)
                    + "' is not a constant initializer); only constant weights are quantized");
        }
        TensorProto w = b.get();
        if (w.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return Match.no("weight '" + w.getName() + "' is " + Tensors.dataType(w) + ", not float32");
        }
        if (w.getDimsCount() != 2) {
            return Match.no("weight '" + w.getName() + "' has rank " + w.getDimsCount() + "; only 2-D weights are"
                    + " quantized");
        }
        int rows = Math.toIntExact(w.getDims(0));
        int cols = Math.toIntExact(w.getDims(1));
        float[] values = Tensors.toFloats(w);
        if (node.getOpType().equals("MatMul")) {
            return Match.of(new ConstantLinear(node, node.getInput(0), node.getOutput(0), values, rows, cols, null,
                    w.getName()));
        }
        if (Nodes.attrInt(node, "transA", 0) != 0) {
            return Match.no("Gemm with transA=1 is not rewritten (A would need a Transpose)");
        }
        boolean transB = Nodes.attrInt(node, "transB", 0) != 0;
        float alpha = Nodes.attrFloat(node, "alpha", 1f);
        float beta = Nodes.attrFloat(node, "beta", 1f);
        int k = transB ? cols : rows;
        int n = transB ? rows : cols;
        float[] kn = new float[k * n];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                kn[i * n + j] = alpha * (transB ? values[j * cols + i] : values[i * cols + j]);
            }
        }
        TensorProto bias = null;
        if (node.getInputCount() > 2 && !node.getInput(2).isEmpty() && beta != 0f) {
            Optional<TensorProto> c = graph.initializer(node.getInput(2));
            if (c.isEmpty() || c.get().getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                return Match.no("Gemm bias C '" + node.getInput(2) + "' is not a float32 initializer");
            }
            bias = c.get();
            if (beta != 1f) {
                float[] scaled = Tensors.toFloats(bias);
                for (int i = 0; i < scaled.length; i++) {
                    scaled[i] *= beta;
                }
                bias = Tensors.floats(graph.uniqueName(bias.getName() + "_beta"), Tensors.dims(bias), scaled);
            }
        }
        return Match.of(new ConstantLinear(node, node.getInput(0), node.getOutput(0), kn, k, n, bias, w.getName()));
    }
}
