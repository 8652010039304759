package io.qreg.engine.tensor;

import io.qreg.numeric.Float16;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorProto.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Codecs between {@link TensorProto} and Java arrays.
 *
 * <p>Builders always write {@code raw_data} (little-endian, as ONNX specifies), because that is the
 * only form {@code OnnxModel.save} can move to an external data file and the most compact on disk.
 * Readers accept both {@code raw_data} and the typed repeated fields exporters sometimes use. A tensor
 * whose data is still {@code EXTERNAL} is refused: load models through {@code OnnxModel}, which
 * resolves external data.
 */
public final class Tensors {

    private Tensors() {
    }

    public static long[] dims(TensorProto tensor) {
        return tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** The product of the dims (1 for a scalar). */
    public static long elementCount(TensorProto tensor) {
        return elementCount(dims(tensor));
    }

    public static DataType dataType(TensorProto tensor) {
        DataType type = DataType.forNumber(tensor.getDataType());
        if (type == null) {
            throw new IllegalArgumentException(describe(tensor) + " has unknown data_type " + tensor.getDataType());
        }
        return type;
    }

    /** FLOAT, FLOAT16, BFLOAT16 or DOUBLE elements widened or narrowed to float, in C order. */
    public static float[] toFloats(TensorProto tensor) {
        int count = intCount(tensor);
        float[] out = new float[count];
        DataType type = dataType(tensor);
        if (tensor.hasRawData()) {
            ByteBuffer raw = raw(tensor, type, count);
            switch (type) {
                case FLOAT -> raw.asFloatBuffer().get(out);
                case DOUBLE -> {
                    for (int i = 0; i < count; i++) {
                        out[i] = (float) raw.getDouble(i * 8);
                    }
                }
                case FLOAT16, BFLOAT16 -> {
                    for (int i = 0; i < count; i++) {
                        out[i] = sixteenBitFloat(type, raw.getShort(i * 2));
                    }
                }
                default -> throw notA("floating-point", tensor, type);
            }
            return out;
        }
        switch (type) {
            case FLOAT -> {
                checkTyped(tensor, tensor.getFloatDataCount(), count);
                for (int i = 0; i < count; i++) {
                    out[i] = tensor.getFloatData(i);
                }
            }
            case DOUBLE -> {
                checkTyped(tensor, tensor.getDoubleDataCount(), count);
                for (int i = 0; i < count; i++) {
                    out[i] = (float) tensor.getDoubleData(i);
                }
            }
            // ONNX stores 16-bit floats in int32_data, one bit pattern per element.
            case FLOAT16, BFLOAT16 -> {
                checkTyped(tensor, tensor.getInt32DataCount(), count);
                for (int i = 0; i < count; i++) {
                    out[i] = sixteenBitFloat(type, tensor.getInt32Data(i));
                }
            }
            default -> throw notA("floating-point", tensor, type);
        }
        return out;
    }

    /** INT64, INT32, INT16, UINT16, INT8, UINT8 or BOOL elements as long, in C order (shapes, axes, ids). */
    public static long[] toLongs(TensorProto tensor) {
        int count = intCount(tensor);
        long[] out = new long[count];
        DataType type = dataType(tensor);
        if (tensor.hasRawData()) {
            ByteBuffer raw = raw(tensor, type, count);
            for (int i = 0; i < count; i++) {
                out[i] = switch (type) {
                    case INT64 -> raw.getLong(i * 8);
                    case INT32 -> raw.getInt(i * 4);
                    case INT16 -> raw.getShort(i * 2);
                    case UINT16 -> raw.getShort(i * 2) & 0xFFFF;
                    case INT8 -> raw.get(i);
                    case UINT8, BOOL -> raw.get(i) & 0xFF;
                    default -> throw notA("integer", tensor, type);
                };
            }
            return out;
        }
        switch (type) {
            case INT64 -> {
                checkTyped(tensor, tensor.getInt64DataCount(), count);
                for (int i = 0; i < count; i++) {
                    out[i] = tensor.getInt64Data(i);
                }
            }
            // Narrow integer types share int32_data, one element per entry.
            case INT32, INT16, INT8 -> {
                checkTyped(tensor, tensor.getInt32DataCount(), count);
                for (int i = 0; i < count; i++) {
                    out[i] = tensor.getInt32Data(i);
                }
            }
            case UINT16, UINT8, BOOL -> {
                checkTyped(tensor, tensor.getInt32DataCount(), count);
                for (int i = 0; i < count; i++) {
                    out[i] = tensor.getInt32Data(i) & 0xFFFFFFFFL;
                }
            }
            default -> throw notA("integer", tensor, type);
        }
        return out;
    }

    public static TensorProto floats(String name, long[] dims, float[] values) {
        checkCount(name, dims, values.length);
        ByteBuffer bytes = little(values.length * Float.BYTES);
        bytes.asFloatBuffer().put(values);
        return build(name, dims, DataType.FLOAT, bytes.array());
    }

    /** Rounds each value to the nearest half ({@link Float16#toHalf(float)}). */
    public static TensorProto float16(String name, long[] dims, float[] values) {
        checkCount(name, dims, values.length);
        ByteBuffer bytes = little(values.length * 2);
        for (float v : values) {
            bytes.putShort(Float16.toHalf(v));
        }
        return build(name, dims, DataType.FLOAT16, bytes.array());
    }

    public static TensorProto int8(String name, long[] dims, byte[] values) {
        checkCount(name, dims, values.length);
        return build(name, dims, DataType.INT8, values.clone());
    }

    public static TensorProto uint8(String name, long[] dims, byte[] values) {
        checkCount(name, dims, values.length);
        return build(name, dims, DataType.UINT8, values.clone());
    }

    public static TensorProto int32(String name, long[] dims, int[] values) {
        checkCount(name, dims, values.length);
        ByteBuffer bytes = little(values.length * Integer.BYTES);
        bytes.asIntBuffer().put(values);
        return build(name, dims, DataType.INT32, bytes.array());
    }

    public static TensorProto int64(String name, long[] dims, long[] values) {
        checkCount(name, dims, values.length);
        ByteBuffer bytes = little(values.length * Long.BYTES);
        bytes.asLongBuffer().put(values);
        return build(name, dims, DataType.INT64, bytes.array());
    }

    /** An ONNX INT4 tensor from values in -8..7, packed by {@link Nibbles#packSigned(int[])}. */
    public static TensorProto int4(String name, long[] dims, int[] values) {
        checkCount(name, dims, values.length);
        return build(name, dims, DataType.INT4, Nibbles.packSigned(values));
    }

    /** An ONNX UINT4 tensor from values in 0..15, packed by {@link Nibbles#packUnsigned(int[])}. */
    public static TensorProto uint4(String name, long[] dims, int[] values) {
        checkCount(name, dims, values.length);
        return build(name, dims, DataType.UINT4, Nibbles.packUnsigned(values));
    }

    /** The same tensor under another name, sharing its data. */
    public static TensorProto renamed(TensorProto tensor, String name) {
        return tensor.toBuilder().setName(name).build();
    }

    static long elementCount(long[] dims) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    /** Bytes per element of fixed-width types, or 0 for STRING, 4-bit and unknown types. */
    static int elementSize(DataType type) {
        return switch (type) {
            case FLOAT, INT32, UINT32 -> 4;
            case DOUBLE, INT64, UINT64, COMPLEX64 -> 8;
            case COMPLEX128 -> 16;
            case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
            case INT8, UINT8, BOOL, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ -> 1;
            default -> 0;
        };
    }

    private static TensorProto build(String name, long[] dims, DataType type, byte[] raw) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            b.addDims(d);
        }
        // The array was made here (or cloned) and is never written again, so wrapping without a copy is safe.
        return b.setRawData(UnsafeByteOperations.unsafeWrap(raw)).build();
    }

    private static ByteBuffer raw(TensorProto tensor, DataType type, int count) {
        ByteString data = tensor.getRawData();
        long expected = (long) count * elementSize(type);
        if (data.size() != expected) {
            throw new IllegalArgumentException(describe(tensor) + " has " + data.size() + " bytes of raw_data, "
                    + "its dims and " + type + " need " + expected);
        }
        return data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int intCount(TensorProto tensor) {
        if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalStateException(describe(tensor)
                    + " still points at external data; load the model with OnnxModel.load, which reads it");
        }
        long count = elementCount(dims(tensor));
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(describe(tensor) + " has " + count
                    + " elements, more than a Java array holds");
        }
        return (int) count;
    }

    private static void checkTyped(TensorProto tensor, int present, int expected) {
        if (present != expected) {
            throw new IllegalArgumentException(describe(tensor) + " has " + present + " typed data entries, "
                    + "its dims need " + expected);
        }
    }

    private static void checkCount(String name, long[] dims, int length) {
        long expected = elementCount(dims);
        if (expected != length) {
            throw new IllegalArgumentException("tensor '" + name + "' with dims " + Arrays.toString(dims)
                    + " needs " + expected + " values, got " + length);
        }
    }

    /** A FLOAT16 or BFLOAT16 element from its bit pattern, in the low 16 bits of {@code bits}. */
    private static float sixteenBitFloat(DataType type, int bits) {
        return type == DataType.FLOAT16 ? Float16.toFloat((short) bits) : Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static IllegalArgumentException notA(String kind, TensorProto tensor, DataType type) {
        return new IllegalArgumentException(describe(tensor) + " is " + type + ", not a " + kind + " type");
    }

    private static String describe(TensorProto tensor) {
        return "tensor '" + tensor.getName() + "' " + Arrays.toString(dims(tensor));
    }
}
