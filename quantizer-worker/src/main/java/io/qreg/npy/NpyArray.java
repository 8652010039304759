package io.qreg.npy;

import io.qreg.numeric.Float16;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A NumPy array in memory: dtype, C-order shape and the raw little-endian element bytes.
 *
 * <p>The bytes stay in their file encoding so that loading is one copy and conversion happens only
 * in the form the caller asks for ({@link #toFloatArray()}, {@link #toLongArray()}).
 */
public final class NpyArray {

    /** A Java byte[]/ByteBuffer cannot be larger; larger arrays must be streamed, not loaded. */
    private static final long MAX_LOAD_BYTES = Integer.MAX_VALUE - 8;

    private final NpyDType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    private NpyArray(NpyDType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /**
     * Wraps {@code data}'s remaining bytes (little-endian elements, not copied) as an array.
     *
     * @throws IllegalArgumentException if the byte count does not match shape × item size
     */
    public static NpyArray of(NpyDType dtype, long[] shape, ByteBuffer data) {
        Objects.requireNonNull(dtype, "dtype");
        long expected = byteSize(dtype, shape);
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("shape " + NpyHeader.tuple(shape) + " of " + dtype.typeName()
                    + " needs " + expected + " bytes, got " + data.remaining());
        }
        return new NpyArray(dtype, shape.clone(), data.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    public static NpyArray ofFloats(float[] values, long... shape) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return of(NpyDType.FLOAT32, shape, bytes);
    }

    public static NpyArray ofLongs(long[] values, long... shape) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return of(NpyDType.INT64, shape, bytes);
    }

    /** Loads a {@code .npy} file, which must hold exactly one array and nothing after it. */
    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in);
        }
    }

    /**
     * Loads one {@code .npy} array from a stream that ends where the array does (a file or an archive
     * entry); the stream is not closed.
     *
     * @throws NpyFormatException if the header is invalid, or the data is shorter or longer than declared
     */
    public static NpyArray read(InputStream in) throws IOException {
        NpyArrayInfo info = NpyHeader.read(in);
        if (info.dataBytes() > MAX_LOAD_BYTES) {
            throw new NpyFormatException("array " + info.shapeString() + " of " + info.dtype().typeName() + " is "
                    + info.dataBytes() + " bytes, too large to load into memory (limit 2 GiB)");
        }
        // readNBytes grows its buffer as data arrives, so a header that lies about the size cannot
        // make us allocate more than the stream really holds.
        byte[] bytes = in.readNBytes((int) info.dataBytes());
        NpyPayload.verifyLength(info, bytes.length);
        if (in.read() >= 0) {
            NpyPayload.verifyLength(info, info.dataBytes() + 1);
        }
        return new NpyArray(info.dtype(), info.shape(), ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    public NpyDType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The element bytes, little-endian, as a read-only view positioned at 0. */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long elementCount() {
        return data.remaining() / dtype.itemSize();
    }

    /** The size of the first (batch) dimension. */
    public int samples() {
        if (shape.length == 0) {
            throw new IllegalStateException("a 0-d array has no samples dimension");
        }
        return Math.toIntExact(shape[0]);
    }

    /** All elements converted to float, in C order. Integer and bool values convert exactly up to 2^24. */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(elementCount())];
        ByteBuffer b = data();
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().get(out);
            case FLOAT64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float16.toFloat(b.getShort(i * 2));
                }
            }
            case INT64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getLong(i * 8);
                }
            }
            case INT32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getInt(i * 4);
                }
            }
            case INT8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.get(i);
                }
            }
            case UINT8, BOOL -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.get(i) & 0xFF;
                }
            }
        }
        return out;
    }

    /**
     * All elements as long, in C order, for integer and bool arrays (labels, token ids).
     *
     * @throws IllegalStateException for floating-point arrays, where truncating silently would hide a mistake
     */
    public long[] toLongArray() {
        if (dtype.isFloatingPoint()) {
            throw new IllegalStateException("array is " + dtype.typeName()
                    + "; toLongArray() needs an integer or bool dtype, use toFloatArray()");
        }
        long[] out = new long[Math.toIntExact(elementCount())];
        ByteBuffer b = data();
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case INT64 -> b.getLong(i * 8);
                case INT32 -> b.getInt(i * 4);
                case INT8 -> b.get(i);
                case UINT8, BOOL -> b.get(i) & 0xFF;
                default -> throw new IllegalStateException("unreachable: " + dtype);
            };
        }
        return out;
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype.typeName() + " " + NpyHeader.tuple(shape) + "]";
    }

    static long byteSize(NpyDType dtype, long[] shape) {
        long size = dtype.itemSize();
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            size = Math.multiplyExact(size, dim);
        }
        return size;
    }
}
