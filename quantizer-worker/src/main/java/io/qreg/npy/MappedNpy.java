package io.qreg.npy;


import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens a {@code .npy} file as an {@link NpyArray} whose data is memory-mapped rather than read into the heap.
 *
 * <p>Evaluation datasets can be far larger than the heap (hundreds of thousands of token sequences); mapping
 * lets the operating system page in only the batch being run, so the JVM's footprint does not grow with the
 * dataset. Files must still be under 2 GiB each, the limit of one Java buffer.
 */
public final class MappedNpy {

    private MappedNpy() {
    }

    public static NpyArray open(Path file) throws IOException {
        NpyArrayInfo info;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            info = NpyHeader.read(in);
        }
        long fileSize = Files.size(file);
        long expected = info.headerBytes() + info.dataBytes();
        if (fileSize != expected) {
            throw new NpyFormatException(file + ": header declares " + info.shapeString() + " of "
                    + info.dtype().typeName() + " (" + expected + " bytes with header) but the file has " + fileSize
                    + " bytes");
        }
        if (info.dataBytes() > Integer.MAX_VALUE) {
            throw new NpyFormatException(file + ": array " + info.shapeString() + " is " + info.dataBytes()
                    + " bytes; split it into files under 2 GiB");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            // The mapping stays valid after the channel closes; it is released when the buffer is collected.
            MappedByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, info.headerBytes(), info.dataBytes());
            return NpyArray.of(info.dtype(), info.shape(), data);
        }
    }
}
