package io.qreg.engine.eval;

import io.qreg.numeric.Float16;
import io.qreg.npy.NpyDType;

import java.nio.ByteBuffer;

/**
 * Random access to single elements of an array's little-endian bytes, so labels, slice ids and converted
 * inputs can be read a batch at a time from a mapped file instead of being copied whole into the heap.
 */
final class NpyElements {

    private NpyElements() {
    }

    static long integerAt(ByteBuffer data, NpyDType dtype, long index) {
        int i = Math.toIntExact(index);
        return switch (dtype) {
            case INT64 -> data.getLong(i * 8);
            case INT32 -> data.getInt(i * 4);
            case INT8 -> data.get(i);
            case UINT8, BOOL -> data.get(i) & 0xFF;
            default -> throw new IllegalStateException(dtype.typeName() + " is not an integer dtype");
        };
    }

    static double floatAt(ByteBuffer data, NpyDType dtype, long index) {
        int i = Math.toIntExact(index);
        return switch (dtype) {
            case FLOAT32 -> data.getFloat(i * 4);
            case FLOAT64 -> data.getDouble(i * 8);
            case FLOAT16 -> Float16.toFloat(data.getShort(i * 2));
            default -> throw new IllegalStateException(dtype.typeName() + " is not a floating-point dtype");
        };
    }
}
