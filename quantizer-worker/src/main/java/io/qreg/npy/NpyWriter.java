package io.qreg.npy;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes arrays as numpy does: {@code .npy} format 1.0 with the header padded to 64 bytes, and
 * {@code .npz} archives (a zip of {@code <name>.npy} entries, as {@code numpy.savez_compressed}).
 * Streams passed in are written to but never closed.
 */
public final class NpyWriter {

    private static final int CHUNK = 64 * 1024;

    private NpyWriter() {
    }

    /**
     * Writes {@code data}'s remaining bytes, which must already be little-endian elements, as one array.
     *
     * @throws IllegalArgumentException if the byte count does not match shape × item size
     */
    public static void write(OutputStream out, NpyDType dtype, long[] shape, ByteBuffer data) throws IOException {
        long expected = NpyArray.byteSize(dtype, shape);
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("shape " + NpyHeader.tuple(shape) + " of " + dtype.typeName()
                    + " needs " + expected + " bytes, got " + data.remaining());
        }
        out.write(NpyHeader.encode(dtype, shape));
        ByteBuffer source = data.duplicate();
        if (source.hasArray()) {
            out.write(source.array(), source.arrayOffset() + source.position(), source.remaining());
            return;
        }
        byte[] chunk = new byte[Math.min(CHUNK, source.remaining())];
        while (source.hasRemaining()) {
            int n = Math.min(chunk.length, source.remaining());
            source.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Writes float values as {@link NpyDType#FLOAT32} or {@link NpyDType#FLOAT64}. */
    public static void write(OutputStream out, NpyDType dtype, long[] shape, float[] data) throws IOException {
        if (dtype != NpyDType.FLOAT32 && dtype != NpyDType.FLOAT64) {
            throw new IllegalArgumentException("float[] data can be written as float32 or float64, not "
                    + dtype.typeName() + "; pass a ByteBuffer for other types");
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(data.length, dtype.itemSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (float value : data) {
            if (dtype == NpyDType.FLOAT32) {
                bytes.putFloat(value);
            } else {
                bytes.putDouble(value);
            }
        }
        write(out, dtype, shape, bytes.flip());
    }

    /**
     * Writes integer values as any integer or bool dtype.
     *
     * @throws IllegalArgumentException if a value does not fit the dtype (bool takes only 0 and 1)
     */
    public static void write(OutputStream out, NpyDType dtype, long[] shape, long[] data) throws IOException {
        if (dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("long[] data can be written as an integer or bool dtype, not "
                    + dtype.typeName());
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(data.length, dtype.itemSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i++) {
            long v = data[i];
            switch (dtype) {
                case INT64 -> bytes.putLong(v);
                case INT32 -> bytes.putInt((int) checkRange(v, Integer.MIN_VALUE, Integer.MAX_VALUE, dtype, i));
                case INT8 -> bytes.put((byte) checkRange(v, Byte.MIN_VALUE, Byte.MAX_VALUE, dtype, i));
                case UINT8 -> bytes.put((byte) checkRange(v, 0, 255, dtype, i));
                case BOOL -> bytes.put((byte) checkRange(v, 0, 1, dtype, i));
                default -> throw new IllegalStateException("unreachable: " + dtype);
            }
        }
        write(out, dtype, shape, bytes.flip());
    }

    public static void write(OutputStream out, NpyArray array) throws IOException {
        write(out, array.dtype(), array.shape(), array.data());
    }

    /**
     * Writes an {@code .npz}: one deflated {@code <name>.npy} entry per array, in map order, loadable
     * with {@code numpy.load} and {@link TensorArchive}.
     *
     * @throws IllegalArgumentException for an empty name or one containing a path separator
     */
    public static void writeNpz(OutputStream out, Map<String, NpyArray> arrays) throws IOException {
        // Closing the zip stream frees its native Deflater; the guard keeps that from closing the caller's stream.
        OutputStream keepOpen = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try (ZipOutputStream zip = new ZipOutputStream(keepOpen)) {
            for (Map.Entry<String, NpyArray> entry : arrays.entrySet()) {
                String name = entry.getKey();
                if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
                    throw new IllegalArgumentException("invalid array name '" + name + "'");
                }
                zip.putNextEntry(new ZipEntry(name + ".npy"));
                write(zip, entry.getValue());
                zip.closeEntry();
            }
        }
    }

    public static void writeNpz(Path file, Map<String, NpyArray> arrays) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            writeNpz(out, arrays);
        }
    }

    private static long checkRange(long value, long min, long max, NpyDType dtype, int index) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("value " + value + " at index " + index + " does not fit in "
                    + dtype.typeName());
        }
        return value;
    }
}
