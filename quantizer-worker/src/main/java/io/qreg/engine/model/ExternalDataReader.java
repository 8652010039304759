package io.qreg.engine.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.qreg.onnx.ir.StringStringEntryProto;
import io.qreg.onnx.ir.TensorProto;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the bytes of tensors stored with {@code data_location = EXTERNAL} into {@code raw_data}.
 *
 * <p>Memory: regions of at least {@link #MAP_MIN_BYTES} are memory-mapped read-only, so weights stay in
 * the page cache rather than on the Java heap and a model far larger than the heap can be loaded;
 * smaller ones are copied to the heap, because a mapping per tiny tensor would waste address-space
 * entries. Mappings live as long as the tensors that reference them.
 */
final class ExternalDataReader implements Closeable {

    static final long MAP_MIN_BYTES = 64 * 1024;
    /** A ByteString (and so one tensor's raw_data) is indexed by int. */
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private final Path modelFile;
    private final Path directory;
    private final Map<Path, FileChannel> open = new HashMap<>();

    ExternalDataReader(Path modelFile) {
        this.modelFile = modelFile;
        this.directory = modelFile.toAbsolutePath().normalize().getParent();
    }

    TensorProto resolve(TensorProto tensor) throws IOException {
        if (tensor.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
            return tensor;
        }
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto entry : tensor.getExternalDataList()) {
            switch (entry.getKey()) {
                case "location" -> location = entry.getValue();
                case "offset" -> offset = number(tensor, entry);
                case "length" -> length = number(tensor, entry);
                default -> { } // "checksum" and future keys do not affect where the bytes are
            }
        }
        if (location == null || location.isEmpty()) {
            throw fail(tensor, "has external data without a 'location'");
        }
        Path file = inside(tensor, location);
        FileChannel channel = channel(tensor, file);
        long size = channel.size();
        if (length < 0) {
            length = size - offset; // ONNX: no length means "to the end of the file"
        }
        if (offset > size || length > size - offset) {
            throw fail(tensor, "needs bytes " + offset + ".." + (offset + length) + " of " + location
                    + ", which has only " + size + " bytes; the data file is truncated or belongs to another model");
        }
        if (length > MAX_TENSOR_BYTES) {
            throw fail(tensor, "is " + length + " bytes; a single tensor larger than 2 GiB is not supported");
        }
        ByteString data;
        if (length >= MAP_MIN_BYTES) {
            data = UnsafeByteOperations.unsafeWrap(channel.map(FileChannel.MapMode.READ_ONLY, offset, length));
        } else {
            ByteBuffer buffer = ByteBuffer.allocate((int) length);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw fail(tensor, "ends early in " + location);
                }
            }
            data = UnsafeByteOperations.unsafeWrap(buffer.array());
        }
        return tensor.toBuilder().clearExternalData().clearDataLocation().setRawData(data).build();
    }

    /** Rejects locations that would read outside the model's directory (absolute, "..", or a symlink out). */
    private Path inside(TensorProto tensor, String location) throws IOException {
        Path relative;
        try {
            relative = Path.of(location);
        } catch (InvalidPathException e) {
            throw fail(tensor, "has an invalid external data location '" + location + "'");
        }
        Path file = directory.resolve(relative).normalize();
        if (relative.isAbsolute() || !file.startsWith(directory)) {
            throw fail(tensor, "has external data location '" + location
                    + "' outside the model's directory; only paths relative to " + directory + " are allowed");
        }
        if (Files.exists(file) && !file.toRealPath().startsWith(directory.toRealPath())) {
            throw fail(tensor, "has external data location '" + location
                    + "' that links outside the model's directory " + directory);
        }
        return file;
    }

    private FileChannel channel(TensorProto tensor, Path file) throws IOException {
        FileChannel channel = open.get(file);
        if (channel == null) {
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw fail(tensor, "keeps its data in " + file.getFileName() + ", which is missing; "
                        + "copy it next to the model");
            }
            open.put(file, channel);
        }
        return channel;
    }

    private long number(TensorProto tensor, StringStringEntryProto entry) throws OnnxModelException {
        try {
            long value = Long.parseLong(entry.getValue().trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the tensor's name
        }
        throw fail(tensor, "has an invalid external data " + entry.getKey() + " '" + entry.getValue() + "'");
    }

    private OnnxModelException fail(TensorProto tensor, String problem) {
        return new OnnxModelException(modelFile + ": tensor '" + tensor.getName() + "' " + problem);
    }

    /** The external data files read so far, for reporting a model's size on disk. */
    Set<Path> files() {
        return Set.copyOf(open.keySet());
    }

    /** Mappings already made stay valid after their channel closes. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel channel : open.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
