package io.qreg.npy;

import java.util.Arrays;
import java.util.Objects;

/**
 * What an {@code .npy} header declares, plus where the data starts and how long it must be.
 *
 * @param name        the array's name in its archive or file, or {@code null} when read from a bare stream
 * @param dtype       element type
 * @param shape       dimensions in C order; empty for a 0-d (scalar) array
 * @param headerBytes bytes before the data: magic, version, header length and header text
 * @param dataBytes   bytes of data the shape and dtype require (product of shape × item size)
 */
public record NpyArrayInfo(String name, NpyDType dtype, long[] shape, long headerBytes, long dataBytes) {

    public NpyArrayInfo {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy, so the record stays immutable. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return dataBytes / dtype.itemSize();
    }

    public int rank() {
        return shape.length;
    }

    public NpyArrayInfo withName(String newName) {
        return new NpyArrayInfo(newName, dtype, shape, headerBytes, dataBytes);
    }

    /** Python tuple notation, as numpy prints shapes: {@code (500, 64)}, {@code (500,)}, {@code ()}. */
    public String shapeString() {
        return NpyHeader.tuple(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArrayInfo other
                && Objects.equals(name, other.name) && dtype == other.dtype && Arrays.equals(shape, other.shape)
                && headerBytes == other.headerBytes && dataBytes == other.dataBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), headerBytes, dataBytes);
    }

    @Override
    public String toString() {
        return (name == null ? "<array>" : name) + " " + dtype.typeName() + " " + shapeString();
    }
}
