package io.qreg.engine.quant.qat;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.tensor.Nibbles;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorProto.DataType;
import java.util.Optional;

/**
 * The integer grid of one QuantizeLinear or DequantizeLinear over a constant of shape {@code dims}: its
 * scales and zero points, per tensor or per channel along {@code axis}, and the code type, as the ONNX
 * operator defines them (zero point absent: 0 of the {@code output_dtype} attribute's type, else uint8).
 *
 * @param axis the channel axis (normalized, non-negative), or -1 for one scale over the whole tensor
 * @param inner elements between two consecutive channels (product of the dims after the axis)
 */
record QuantGrid(float[] scales, int[] zeroPoints, int axis, long inner, DataType codeType) {

    /** Bits of the code type: 8 or 4. */
    int bits() {
        return codeType == DataType.INT4 || codeType == DataType.UINT4 ? 4 : 8;
    }

    boolean signed() {
        return codeType == DataType.INT8 || codeType == DataType.INT4;
    }

    int qmin() {
        return signed() ? -(1 << (bits() - 1)) : 0;
    }

    int qmax() {
        return signed() ? (1 << (bits() - 1)) - 1 : (1 << bits()) - 1;
    }

    int channel(long element) {
        return axis < 0 ? 0 : (int) ((element / inner) % scales.length);
    }

    boolean perChannel() {
        return axis >= 0;
    }

    /**
     * QuantizeLinear's own arithmetic, element by element: {@code saturate(round(w / scale) + zero_point)} with
     * the division in float32 and ties rounded to even, so the codes are the ones the QAT model computes at run
     * time.
     */
    int[] quantize(float[] weight) {
        int[] codes = new int[weight.length];
        for (int i = 0; i < weight.length; i++) {
            int c = channel(i);
            float scaled = weight[i] / scales[c];
            double q = Math.rint(scaled) + zeroPoints[c];
            codes[i] = (int) Math.max(qmin(), Math.min(qmax(), q));
        }
        return codes;
    }

    /** The codes as an initializer of the grid's type. */
    TensorProto codesTensor(String name, long[] dims, int[] codes) {
        return switch (codeType) {
            case INT4 -> Tensors.int4(name, dims, codes);
            case UINT4 -> Tensors.uint4(name, dims, codes);
            default -> {
                byte[] bytes = new byte[codes.length];
                for (int i = 0; i < codes.length; i++) {
                    bytes[i] = (byte) codes[i];
                }
                yield codeType == DataType.INT8 ? Tensors.int8(name, dims, bytes) : Tensors.uint8(name, dims, bytes);
            }
        };
    }

    /** Bytes the grid's scales (float32) and zero points (code type) take. */
    long parameterBytes() {
        return 4L * scales.length + (bits() == 4 ? (zeroPoints.length + 1) / 2 : zeroPoints.length);
    }

    /** Reads the grid of a QuantizeLinear/DequantizeLinear node applied to a tensor of shape {@code dims}. */
    static QuantGrid of(ModelGraph graph, NodeProto node, long[] dims) throws QuantizationException {
        String where = node.getOpType() + " '" + (node.getName().isEmpty() ? node.getOutput(0) : node.getName()) + "'";
        if (Nodes.attrInt(node, "block_size", 0) != 0) {
            throw new QuantizationException(where + " quantizes in blocks (block_size); qat imports per-tensor and"
                    + " per-channel grids only");
        }
        TensorProto scale = constant(graph, node.getInputCount() > 1 ? node.getInput(1) : "")
                .orElseThrow(() -> new QuantizationException(where + " has no constant scale"));
        float[] scales = Tensors.toFloats(scale);
        Optional<TensorProto> zp = constant(graph, node.getInputCount() > 2 ? node.getInput(2) : "");
        DataType type = zp.map(Tensors::dataType).orElse(
                DataType.forNumber((int) Nodes.attrInt(node, "output_dtype", DataType.UINT8_VALUE)));
        if (type != DataType.INT8 && type != DataType.UINT8 && type != DataType.INT4 && type != DataType.UINT4) {
            throw new QuantizationException(where + " quantizes to " + type + "; qat imports int8, uint8, int4 and"
                    + " uint4 grids");
        }
        int[] zeroPoints = zp.isPresent() ? integers(zp.get(), type) : new int[scales.length];
        if (zeroPoints.length != scales.length) {
            throw new QuantizationException(where + " has " + scales.length + " scales but " + zeroPoints.length
                    + " zero points");
        }
        int axis = -1;
        long inner = 1;
        if (scale.getDimsCount() > 0 && scales.length > 1) {
            long rank = dims.length;
            long a = Nodes.attrInt(node, "axis", 1);
            axis = (int) (a < 0 ? a + rank : a);
            if (axis < 0 || axis >= rank || dims[axis] != scales.length) {
                throw new QuantizationException(where + " has " + scales.length + " scales along axis " + a
                        + ", which does not match its input's shape");
            }
            for (int d = axis + 1; d < rank; d++) {
                inner *= dims[d];
            }
        }
        return new QuantGrid(scales, zeroPoints, axis, inner, type);
    }

    private static int[] integers(TensorProto t, DataType type) {
        int count = Math.toIntExact(Tensors.elementCount(t));
        int[] out = new int[count];
        if (type == DataType.INT4 || type == DataType.UINT4) {
            if (t.hasRawData()) {
                byte[] packed = t.getRawData().toByteArray();
                for (int i = 0; i < count; i++) {
                    out[i] = type == DataType.INT4 ? Nibbles.signedAt(packed, i) : Nibbles.unsignedAt(packed, i);
                }
            } else {
                // int32_data holds the packed bytes, two elements to each entry.
                for (int i = 0; i < count; i++) {
                    int b = t.getInt32Data(i / 2);
                    int nibble = (i % 2 == 0 ? b : b >> 4) & 0xF;
                    out[i] = type == DataType.INT4 && nibble > 7 ? nibble - 16 : nibble;
                }
            }
            return out;
        }
        long[] values = Tensors.toLongs(t);
        for (int i = 0; i < count; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    static Optional<TensorProto> constant(ModelGraph graph, String tensor) {
        if (tensor.isEmpty()) {
            return Optional.empty();
        }
        Optional<TensorProto> init = graph.initializer(tensor);
        return init.isPresent() ? init : graph.producer(tensor).filter(n -> n.getOpType().equals("Constant"))
                .flatMap(n -> Nodes.attrTensor(n, "value"));
    }
}
